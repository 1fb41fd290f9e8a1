// Debian's libqrencode (libqrencode-dev): QR symbols for SMART Health Cards.
#include <qrencode.h>
