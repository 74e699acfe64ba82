fn main() { println!("demo 0.1.0"); }
