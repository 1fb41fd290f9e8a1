#include "locker_gcm.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>

// The cipher is fetched once per process: OpenSSL 3 otherwise looks AES-256-GCM up in its
// provider store, under its locks, on every context initialisation.
static EVP_CIPHER *aes_256_gcm = NULL;
static pthread_once_t fetched = PTHREAD_ONCE_INIT;
static void fetch_cipher(void) { aes_256_gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL); }

struct locker_gcm {
    EVP_CIPHER_CTX *ctx;
};

locker_gcm *locker_gcm_new(const uint8_t key[32]) {
    locker_gcm *gcm = OPENSSL_zalloc(sizeof(locker_gcm));
    if (gcm == NULL) return NULL;
    pthread_once(&fetched, fetch_cipher);
    if (aes_256_gcm == NULL) {
        OPENSSL_free(gcm);
        return NULL;
    }
    gcm->ctx = EVP_CIPHER_CTX_new();
    // The key schedule is computed once here; each segment only sets its nonce.
    if (gcm->ctx == NULL || EVP_DecryptInit_ex(gcm->ctx, aes_256_gcm, NULL, key, NULL) != 1) {
        locker_gcm_free(gcm);
        return NULL;
    }
    return gcm;
}

void locker_gcm_free(locker_gcm *gcm) {
    if (gcm == NULL) return;
    EVP_CIPHER_CTX_free(gcm->ctx);  // cleanses the key schedule
    OPENSSL_free(gcm);
}

int locker_gcm_open(locker_gcm *gcm, const uint8_t nonce[12], const uint8_t *aad, size_t aad_length,
                    const uint8_t *ciphertext, size_t length, const uint8_t tag[16], uint8_t *out) {
    int written = 0, final = 0;
    if (length > INT_MAX || aad_length > INT_MAX) return 0;
    int ok = EVP_DecryptInit_ex(gcm->ctx, NULL, NULL, NULL, nonce) == 1
          && (aad_length == 0 || EVP_DecryptUpdate(gcm->ctx, NULL, &written, aad, (int)aad_length) == 1)
          && EVP_DecryptUpdate(gcm->ctx, out, &written, ciphertext, (int)length) == 1
          && (size_t)written == length
          && EVP_CIPHER_CTX_ctrl(gcm->ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *)tag) == 1
          && EVP_DecryptFinal_ex(gcm->ctx, out + length, &final) == 1;
    if (!ok) {
        OPENSSL_cleanse(out, length);
        return 0;
    }
    return 1;
}
