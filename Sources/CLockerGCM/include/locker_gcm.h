// AES-256-GCM segment opening through the system OpenSSL (libssl-dev), for the download path:
// decrypts straight into the caller's buffer (the response's ByteBuffer) and checks the tag, with
// one cipher context per document reused for every segment.
#ifndef LOCKER_GCM_H
#define LOCKER_GCM_H

#include <stddef.h>
#include <stdint.h>

typedef struct locker_gcm locker_gcm;

/// A context keyed with a 32-byte AES-256 key; NULL if OpenSSL cannot make one.
locker_gcm *locker_gcm_new(const uint8_t key[32]);

/// Frees the context and wipes its key schedule.
void locker_gcm_free(locker_gcm *gcm);

/// Decrypts `length` bytes of `ciphertext` (tag of 16 bytes separate) under `nonce` (12 bytes) and
/// `aad`, writing the plaintext to `out` (which may not overlap `ciphertext`). Returns 1 when the
/// tag verifies; otherwise 0, with `out[0..<length]` zeroed so no unverified byte is left behind.
int locker_gcm_open(locker_gcm *gcm, const uint8_t nonce[12], const uint8_t *aad, size_t aad_length,
                    const uint8_t *ciphertext, size_t length, const uint8_t tag[16], uint8_t *out);

#endif
