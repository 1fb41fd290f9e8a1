// Debian's libzbar (libzbar-dev): finds and decodes QR codes in 8-bit grey pixels, for
// `locker verify-qr IMAGE`.
#include <zbar.h>
