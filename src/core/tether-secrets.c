/* tether-secrets.c: passwords and key passphrases in the user's keyring.
 *
 * Items use the schema io.github.tetherssh.Tether.Secret with the
 * attributes `host-id` (TetherHost:id, which survives renaming), `kind`
 * (`password` or `passphrase`) and, for passphrases, `key-file`. They are
 * stored only when the user ticks "Remember" and removed when the host is.
 * Secrets are never logged: no message of this file prints one.
 */
#include "config.h"

#include <libsecret/secret.h>

#include "tether-secrets.h"

#define ATTR_HOST_ID "host-id"
#define ATTR_KIND "kind"
#define ATTR_KEY_FILE "key-file"

static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    TETHER_SECRETS_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    {
      { ATTR_HOST_ID, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { ATTR_KIND, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { ATTR_KEY_FILE, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  };

  return &schema;
}

static const char *
kind_to_string (TetherSecretKind kind)
{
  return kind == TETHER_SECRET_KIND_PASSPHRASE ? "passphrase" : "password";
}

/* The attributes of one item; the strings are borrowed. */
static GHashTable *
make_attributes (const char       *host_id,
                 TetherSecretKind  kind,
                 const char       *key_file)
{
  GHashTable *attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (attributes, ATTR_HOST_ID, (gpointer) host_id);
  g_hash_table_insert (attributes, ATTR_KIND, (gpointer) kind_to_string (kind));
  /* A host's key files each have their own passphrase. */
  if (kind == TETHER_SECRET_KIND_PASSPHRASE && key_file != NULL)
    g_hash_table_insert (attributes, ATTR_KEY_FILE, (gpointer) key_file);
  return attributes;
}

/* A task with no source object: the keyring calls are free functions. */
static GTask *
secret_task_new (GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data,
                 gpointer             source_tag,
                 const char          *name)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, name);
  return task;
}

/* Completes @task with TRUE, or with @error when set. */
static void
return_boolean (GTask  *task,
                GError *error)
{
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
store_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  secret_password_store_finish (result, &error);
  return_boolean (task, error);
}

/**
 * tether_secrets_store_async:
 * @host_id: the #TetherHost:id of the host
 * @kind: what @secret is
 * @key_file: (nullable) (type filename): the key file of a passphrase
 * @secret: the password or passphrase
 * @label: what the keyring shows, such as "SSH password for alice@example.org"
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when stored
 * @user_data: data for @callback
 *
 * Stores @secret in the default keyring, replacing an item with the same
 * attributes.
 */
void
tether_secrets_store_async (const char          *host_id,
                            TetherSecretKind     kind,
                            const char          *key_file,
                            const char          *secret,
                            const char          *label,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = NULL;
  GTask *task;

  g_return_if_fail (host_id != NULL);
  g_return_if_fail (secret != NULL);
  g_return_if_fail (label != NULL);

  task = secret_task_new (cancellable, callback, user_data, tether_secrets_store_async,
                          "[tether] store secret");
  attributes = make_attributes (host_id, kind, key_file);
  secret_password_storev (get_schema (), attributes, SECRET_COLLECTION_DEFAULT, label, secret,
                          cancellable, store_done, task);
}

/**
 * tether_secrets_store_finish:
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes tether_secrets_store_async().
 *
 * Returns: %TRUE when stored
 */
gboolean
tether_secrets_store_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
lookup_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *secret;

  secret = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, secret, (GDestroyNotify) secret_password_free);
}

/**
 * tether_secrets_lookup_async:
 * @host_id: the #TetherHost:id of the host
 * @kind: what to look up
 * @key_file: (nullable) (type filename): the key file of a passphrase
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the result
 * @user_data: data for @callback
 *
 * Looks up a remembered password or passphrase. The keyring may ask the
 * user to unlock it.
 */
void
tether_secrets_lookup_async (const char          *host_id,
                             TetherSecretKind     kind,
                             const char          *key_file,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = NULL;
  GTask *task;

  g_return_if_fail (host_id != NULL);

  task = secret_task_new (cancellable, callback, user_data, tether_secrets_lookup_async,
                          "[tether] look up secret");
  attributes = make_attributes (host_id, kind, key_file);
  secret_password_lookupv (get_schema (), attributes, cancellable, lookup_done, task);
}

/**
 * tether_secrets_lookup_finish:
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes tether_secrets_lookup_async().
 *
 * Returns: (transfer full) (nullable): the secret, %NULL when none is
 *   stored (without @error) or on error. Free it with
 *   secret_password_free(), which clears the memory, or g_free().
 */
char *
tether_secrets_lookup_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
clear_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error means there was nothing to clear: fine. */
  secret_password_clear_finish (result, &error);
  return_boolean (task, error);
}

/**
 * tether_secrets_clear_async:
 * @host_id: the #TetherHost:id of a host
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when done
 * @user_data: data for @callback
 *
 * Forgets every password and passphrase stored for the host: call it when
 * the host is deleted for good.
 */
void
tether_secrets_clear_async (const char          *host_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = NULL;
  GTask *task;

  g_return_if_fail (host_id != NULL);

  task = secret_task_new (cancellable, callback, user_data, tether_secrets_clear_async,
                          "[tether] clear secrets");
  attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (attributes, ATTR_HOST_ID, (gpointer) host_id);
  secret_password_clearv (get_schema (), attributes, cancellable, clear_done, task);
}

/**
 * tether_secrets_clear_finish:
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes tether_secrets_clear_async().
 *
 * Returns: %TRUE when nothing is stored for the host any more
 */
gboolean
tether_secrets_clear_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
