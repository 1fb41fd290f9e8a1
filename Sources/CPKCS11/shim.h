// The PKCS#11 (Cryptoki 2.40) header from Debian's libp11-kit-dev, in its standard-names
// (compatibility) mode. Header only: nothing is linked; lockerd loads the token's module
// (e.g. SoftHSM2's libsofthsm2.so) at run time with dlopen and asks it for C_GetFunctionList.
#include <p11-kit-1/p11-kit/pkcs11.h>
