//! The payload stages bench: being written on its branch (h/payload).

fn main() {}
