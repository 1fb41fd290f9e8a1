// The system zlib: raw DEFLATE for SMART Health Cards, zlib streams and CRC-32 for PNG.
#include <zlib.h>
