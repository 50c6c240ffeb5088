/* A shared library that is not a kubecert plugin: no entry symbol. */
int kubecert_test_not_a_plugin(int x) {
    return x + 1;
}
