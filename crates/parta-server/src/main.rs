// glibc's malloc took a fifth of the server's CPU under load (its arenas contend
// across the tokio workers); mimalloc keeps per-thread free lists.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    parta_server::cli::run().await
}
