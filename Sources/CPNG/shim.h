// Debian's libpng (libpng-dev), its simplified read API: a PNG of any colour type, depth or
// interlacing into 8-bit grey pixels for zbar (`locker verify-qr IMAGE`).
#include <png.h>
