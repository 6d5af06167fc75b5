//! The `chainkb` binary: a thin shell over `chainkb::cli`.

fn main() {
    chainkb::graph::tune_allocator();
    std::process::exit(chainkb::cli::main());
}
