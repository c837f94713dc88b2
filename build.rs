// The migrations are embedded at compile time (`embed_migrations!`); without
// this, adding a migration directory would not rebuild the binary.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
