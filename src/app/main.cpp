// netra: the backend of the Netra AI-spend optimization platform.
#include "app/cli.hpp"

int main(int argc, char** argv) {
  return netra::app::run_cli(argc, argv, netra::app::production_service());
}
