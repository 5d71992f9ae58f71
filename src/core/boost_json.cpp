// Boost.JSON's compiled part, built once here for the whole program (the library is header-only
// when one translation unit includes its sources; Debian's libboost-json is then not needed).
#include <boost/json/src.hpp>
