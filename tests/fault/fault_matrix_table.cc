// Prints the fault matrix as Markdown: the committed FAULT_MATRIX.md.
//
//   build/tests/fault/fault_matrix_table > tests/fault/FAULT_MATRIX.md

#include <cstdio>

#include "tests/fault/fault_matrix.h"

int main() {
  std::fputs(twilio_gateway::fault::FaultMatrixMarkdown().c_str(), stdout);
  return 0;
}
