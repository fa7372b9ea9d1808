/* tether-secrets.h: passwords and key passphrases in the user's keyring (libsecret). */
#pragma once

#if !defined(TETHER_INSIDE) && !defined(TETHER_COMPILATION)
# error "Only <tether.h> can be included directly."
#endif

#include <gio/gio.h>

#include "tether-version.h"

G_BEGIN_DECLS

/**
 * TETHER_SECRETS_SCHEMA_NAME:
 *
 * The libsecret schema of Tether's keyring items.
 */
#define TETHER_SECRETS_SCHEMA_NAME "io.github.tetherssh.Tether.Secret"

/**
 * TetherSecretKind:
 * @TETHER_SECRET_KIND_PASSWORD: the login password of a host
 * @TETHER_SECRET_KIND_PASSPHRASE: the passphrase of a private key file
 *
 * What a keyring item holds (its `kind` attribute: `password` or `passphrase`).
 */
typedef enum {
  TETHER_SECRET_KIND_PASSWORD,
  TETHER_SECRET_KIND_PASSPHRASE,
} TetherSecretKind;

TETHER_AVAILABLE_IN_ALL
void      tether_secrets_store_async   (const char           *host_id,
                                        TetherSecretKind      kind,
                                        const char           *key_file,
                                        const char           *secret,
                                        const char           *label,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
gboolean  tether_secrets_store_finish  (GAsyncResult         *result,
                                        GError              **error);
TETHER_AVAILABLE_IN_ALL
void      tether_secrets_lookup_async  (const char           *host_id,
                                        TetherSecretKind      kind,
                                        const char           *key_file,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
char     *tether_secrets_lookup_finish (GAsyncResult         *result,
                                        GError              **error);
TETHER_AVAILABLE_IN_ALL
void      tether_secrets_clear_async   (const char           *host_id,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
gboolean  tether_secrets_clear_finish  (GAsyncResult         *result,
                                        GError              **error);

G_END_DECLS
