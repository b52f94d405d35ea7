#include "run.h"

int main(int argc, char** argv) { return tasq::server::run_tasqd(argc, argv); }
