#include "cli/main.hpp"

int main(int argc, char** argv) {
    return kubecert::cli::main(argc, argv);
}
