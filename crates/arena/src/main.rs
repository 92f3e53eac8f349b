//! `arena`: see the library docs (`crates/arena/src/lib.rs`) and `docs/report.md`.

fn main() {
    let code = match arena::cli::run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("arena: {e:#}");
            arena::exit_code(&e)
        }
    };
    std::process::exit(code);
}
