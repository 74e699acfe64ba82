fn main() {
    if std::env::args().any(|a| a == "--help") {
        println!("demo: prints its version");
    }
    println!("demo 0.1.0");
}
