#[tokio::main]
async fn main() -> anyhow::Result<()> {
    parta_server::cli::run().await
}
