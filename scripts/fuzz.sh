#!/usr/bin/env bash
# Fuzzes every parser of untrusted input: the message formatting language (with
# mentions and search terms), WebSocket client frames, and upload metadata and
# contents (file names, content sniffing, Range headers, image previews), and OneRoster
# bundles (the CSV reader), chat exports (Telegram JSON, WhatsApp text).
# Usage: scripts/fuzz.sh [seconds per target, default 600] [target …]
# New inputs that widen coverage go to fuzz/corpus/<target> (keep them: `cargo test`
# replays the corpus); a crash input goes to fuzz/artifacts/<target> — copy it to
# fuzz/regressions/<target> with the fix so it is replayed for good.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-600}"; shift || true
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(format client_frame upload roster chat_import_telegram chat_import_whatsapp)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/parta-target-fuzz}"
for target in "${targets[@]}"; do
  echo "== $target for ${seconds}s"
  cargo fuzz run "$target" "corpus/$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536
done
