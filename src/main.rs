//! The `chainkb` binary: a thin shell over `chainkb::cli`.

fn main() {
    std::process::exit(chainkb::cli::main());
}
