fn main() {
    sparkform_build::synthesize();
}
