// Links two translation units that both include the umbrella header: a non-inline
// definition in any header makes this program fail to link (multiple definition).
#include <cstdio>

int odr_a();
int odr_b();

int main() {
  if (odr_a() != odr_b()) {
    std::fprintf(stderr, "odr: the two translation units disagree (%d vs %d)\n", odr_a(), odr_b());
    return 1;
  }
  std::printf("odr: ok, version_major=%d\n", odr_a());
  return 0;
}
