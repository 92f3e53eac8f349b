# Concurrency Arena: the front door. Every recipe is a thin call to the driver (crates/arena) or to scripts/.
# Uses only just features older than 1.30. Without just, `cargo bench-all` does what `just bench-all` does.

set shell := ["bash", "-euo", "pipefail", "-c"]

# List the recipes
default:
    @{{just_executable()}} --list --unsorted

# Install what the project needs on a fresh machine (hyperfine 1.20, just, ...)
setup:
    ./scripts/setup

# Find or build a free-threaded CPython (GIL off) into .tools/python-ft, for py-seq-ft and py-threading-ft
setup-free-threaded:
    ./scripts/setup --free-threaded

# Run every test in the workspace
test:
    cargo test --workspace

# Build one runtime in release mode and run one workload: just run rt-seq cpu-balanced --size check
run RUNTIME WORKLOAD *ARGS:
    cargo run --release --quiet -p {{RUNTIME}} -- run {{WORKLOAD}} {{ARGS}}

# Benchmark every runtime, profile standard (at most 10 minutes on 2 cores), into results/
bench-all:
    cargo run --release -p arena -- bench --profile standard

# Benchmark with a profile (smoke, quick, standard, full): just bench smoke --runtime rt-seq
bench PROFILE *ARGS:
    cargo run --release -p arena -- bench --profile {{PROFILE}} {{ARGS}}

# Verify every runtime x variant x workload at --size check against the reference checksums
verify *ARGS:
    cargo run --release -p arena -- verify {{ARGS}}

# List the runtimes, variants, opts and workloads the driver finds
list *ARGS:
    cargo run --release -p arena -- list {{ARGS}}

# Re-render report.md and charts of a results folder from its raw data: just report results/2026-11-25-2200-host
report DIR:
    cargo run --release -p arena -- report {{DIR}}

# Compare two results folders cell by cell, with Welch's t-test: just compare results/A results/B
compare A B:
    cargo run --release -p arena -- compare {{A}} {{B}}

# Compare the verdicts of two results folders: each claim's mark side by side, and why one changed
compare-verdicts A B:
    cargo run --release -p arena -- compare --verdicts {{A}} {{B}}

# Merge runs from several machines into one report: just merge results/A results/B --out results/merged
merge *ARGS:
    cargo run --release -p arena -- merge {{ARGS}}

# Run the io-net delay server on 127.0.0.1 until Ctrl-C: just serve --delay-ms 20 --port 7878
serve *ARGS:
    cargo run --release -p arena -- serve {{ARGS}}

# Scaffold crates/rt-NAME from the template (see docs/adding-a-runtime.md)
new-runtime NAME:
    scripts/new-runtime {{NAME}}
