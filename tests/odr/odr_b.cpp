// Second of two translation units that include every xddp header (see odr_main.cpp).
#include <xddp/xddp.hpp>

int odr_b() { return static_cast<int>(xddp::version_major); }
