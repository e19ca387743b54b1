// Compiles against the xddp headers as a user's project sees them.
#include <xddp/xddp.hpp>

#include <cstdio>

int main() {
  std::printf("xddp version_major=%d\n", static_cast<int>(xddp::version_major));
  return 0;
}
