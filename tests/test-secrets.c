/* test-secrets.c: passwords and passphrases in a real gnome-keyring-daemon.
 *
 * The program starts a private D-Bus session bus (GTestDBus) and a
 * gnome-keyring-daemon on it, whose login keyring lives in a temporary
 * directory and is unlocked with an empty password; the real user's keyring
 * is never touched. Without gnome-keyring-daemon the tests are skipped.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <libsecret/secret.h>

#include "tether.h"
#include "tether-test-wait.h"

/* Generous: the daemon creates its keyring at start-up on a shared machine. */
#define WAIT_TIMEOUT_MS (60 * 1000)
#define SECRETS_BUS_NAME "org.freedesktop.secrets"
#define KEYRING_DAEMON "gnome-keyring-daemon"

/* Never freed: its dispose would wait for the bus connection that libsecret
 * keeps (see main ()). Static, so it is not a leak either. */
static GTestDBus *bus;

/* One async call, waited for. */
typedef struct {
  GAsyncResult *result;
} Call;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Call *call = user_data;

  call->result = g_object_ref (result);
}

static gboolean
call_done (gpointer data)
{
  return ((Call *) data)->result != NULL;
}

static void
store_secret (const char       *host_id,
              TetherSecretKind  kind,
              const char       *key_file,
              const char       *secret)
{
  g_autoptr(GError) error = NULL;
  Call call = { NULL };

  tether_secrets_store_async (host_id, kind, key_file, secret, "Tether test secret", NULL,
                              on_done, &call);
  tether_test_wait_until (call_done, &call, WAIT_TIMEOUT_MS, "the secret to be stored");
  g_assert_true (tether_secrets_store_finish (call.result, &error));
  g_assert_no_error (error);
  g_object_unref (call.result);
}

static char *
lookup_secret (const char       *host_id,
               TetherSecretKind  kind,
               const char       *key_file)
{
  g_autoptr(GError) error = NULL;
  Call call = { NULL };
  char *secret;

  tether_secrets_lookup_async (host_id, kind, key_file, NULL, on_done, &call);
  tether_test_wait_until (call_done, &call, WAIT_TIMEOUT_MS, "the secret to be looked up");
  secret = tether_secrets_lookup_finish (call.result, &error);
  g_assert_no_error (error);
  g_object_unref (call.result);
  return secret;
}

static void
clear_secrets (const char *host_id)
{
  g_autoptr(GError) error = NULL;
  Call call = { NULL };

  tether_secrets_clear_async (host_id, NULL, on_done, &call);
  tether_test_wait_until (call_done, &call, WAIT_TIMEOUT_MS, "the secrets to be cleared");
  g_assert_true (tether_secrets_clear_finish (call.result, &error));
  g_assert_no_error (error);
  g_object_unref (call.result);
}

/* The attributes of every item stored for HOST_ID, as the keyring has them. */
static GList *
search_items (const char *host_id)
{
  static const SecretSchema by_host = {
    TETHER_SECRETS_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    { { "host-id", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  };
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  Call call = { NULL };
  GList *items;

  g_hash_table_insert (attributes, "host-id", (gpointer) host_id);
  secret_password_searchv (&by_host, attributes, SECRET_SEARCH_ALL, NULL, on_done, &call);
  tether_test_wait_until (call_done, &call, WAIT_TIMEOUT_MS, "the search");
  items = secret_password_search_finish (call.result, &error);
  g_assert_no_error (error);
  g_object_unref (call.result);
  return items;
}

static void
test_store_lookup (void)
{
  g_autofree char *password = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *one = NULL;
  g_autofree char *two = NULL;
  g_autofree char *other = NULL;

  store_secret ("host-a", TETHER_SECRET_KIND_PASSWORD, NULL, "correct horse");
  store_secret ("host-a", TETHER_SECRET_KIND_PASSPHRASE, "/keys/one", "first phrase");
  store_secret ("host-a", TETHER_SECRET_KIND_PASSPHRASE, "/keys/two", "second phrase");

  password = lookup_secret ("host-a", TETHER_SECRET_KIND_PASSWORD, NULL);
  g_assert_cmpstr (password, ==, "correct horse");
  one = lookup_secret ("host-a", TETHER_SECRET_KIND_PASSPHRASE, "/keys/one");
  g_assert_cmpstr (one, ==, "first phrase");
  two = lookup_secret ("host-a", TETHER_SECRET_KIND_PASSPHRASE, "/keys/two");
  g_assert_cmpstr (two, ==, "second phrase");
  other = lookup_secret ("host-a", TETHER_SECRET_KIND_PASSPHRASE, "/keys/three");
  g_assert_null (other);
  missing = lookup_secret ("host-b", TETHER_SECRET_KIND_PASSWORD, NULL);
  g_assert_null (missing);

  clear_secrets ("host-a");
}

static void
test_replace (void)
{
  g_autofree char *password = NULL;
  GList *items;

  store_secret ("host-r", TETHER_SECRET_KIND_PASSWORD, NULL, "old");
  store_secret ("host-r", TETHER_SECRET_KIND_PASSWORD, NULL, "new");
  password = lookup_secret ("host-r", TETHER_SECRET_KIND_PASSWORD, NULL);
  g_assert_cmpstr (password, ==, "new");
  items = search_items ("host-r");
  g_assert_cmpuint (g_list_length (items), ==, 1);
  g_list_free_full (items, g_object_unref);

  clear_secrets ("host-r");
}

static void
test_schema (void)
{
  GList *items;
  GHashTable *attributes;

  store_secret ("host-s", TETHER_SECRET_KIND_PASSPHRASE, "/keys/id_ed25519", "phrase");
  items = search_items ("host-s");
  g_assert_cmpuint (g_list_length (items), ==, 1);
  attributes = secret_retrievable_get_attributes (items->data);
  g_assert_cmpstr (g_hash_table_lookup (attributes, "xdg:schema"), ==,
                   "io.github.tetherssh.Tether.Secret");
  g_assert_cmpstr (g_hash_table_lookup (attributes, "host-id"), ==, "host-s");
  g_assert_cmpstr (g_hash_table_lookup (attributes, "kind"), ==, "passphrase");
  g_assert_cmpstr (g_hash_table_lookup (attributes, "key-file"), ==, "/keys/id_ed25519");
  g_hash_table_unref (attributes);
  g_list_free_full (items, g_object_unref);

  clear_secrets ("host-s");
}

static void
test_clear (void)
{
  g_autofree char *a_password = NULL;
  g_autofree char *a_phrase = NULL;
  g_autofree char *b_password = NULL;
  GList *items;

  store_secret ("host-c", TETHER_SECRET_KIND_PASSWORD, NULL, "pw-c");
  store_secret ("host-c", TETHER_SECRET_KIND_PASSPHRASE, "/keys/c", "phrase-c");
  store_secret ("host-d", TETHER_SECRET_KIND_PASSWORD, NULL, "pw-d");

  clear_secrets ("host-c");
  a_password = lookup_secret ("host-c", TETHER_SECRET_KIND_PASSWORD, NULL);
  g_assert_null (a_password);
  a_phrase = lookup_secret ("host-c", TETHER_SECRET_KIND_PASSPHRASE, "/keys/c");
  g_assert_null (a_phrase);
  items = search_items ("host-c");
  g_assert_null (items);
  b_password = lookup_secret ("host-d", TETHER_SECRET_KIND_PASSWORD, NULL);
  g_assert_cmpstr (b_password, ==, "pw-d");

  /* Clearing a host with nothing stored is not an error. */
  clear_secrets ("host-never-stored");
  clear_secrets ("host-d");
}

static void
test_skip (void)
{
  g_test_skip (KEYRING_DAEMON " is not installed (Debian: gnome-keyring): "
               "the keyring tests need a real Secret Service");
}

/* The daemon must not outlive a test program that crashes. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
on_name_appeared (GDBusConnection *connection,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *daemon_path = g_find_program_in_path (KEYRING_DAEMON);
  g_autofree char *tmp = NULL;
  g_autofree char *runtime = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GError) error = NULL;
  gboolean appeared = FALSE;
  guint watch_id;
  int status;

  if (daemon_path == NULL)
    {
      g_test_init (&argc, &argv, NULL);
      g_test_add_func ("/tether/secrets/skipped", test_skip);
      return g_test_run ();
    }

  /* The keyring files and the daemon's control socket go to a temporary
   * home, set before GLib reads these variables. */
  tmp = g_dir_make_tmp ("tether-secrets-XXXXXX", &error);
  g_assert_no_error (error);
  runtime = g_build_filename (tmp, "runtime", NULL);
  g_assert_cmpint (g_mkdir_with_parents (runtime, 0700), ==, 0);
  g_setenv ("HOME", tmp, TRUE);
  g_setenv ("XDG_DATA_HOME", tmp, TRUE);
  g_setenv ("XDG_CONFIG_HOME", tmp, TRUE);
  g_setenv ("XDG_CACHE_HOME", tmp, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  /* No prompt may pop up on a real display. */
  g_unsetenv ("DISPLAY");
  g_unsetenv ("WAYLAND_DISPLAY");

  g_test_init (&argc, &argv, NULL);

  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);

  /* Its stdout says where its control socket is: not TAP. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  /* G_DEBUG=fatal-warnings is for our code: the daemon's own warnings (it has some on
   * replacing an item) must not kill the keyring under the test. */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  daemon = g_subprocess_launcher_spawn (launcher, &error, daemon_path, "--foreground",
                                        "--unlock", "--components=secrets", NULL);
  g_assert_no_error (error);
  /* --unlock reads the login keyring's password, here empty, up to EOF. */
  g_output_stream_write_all (g_subprocess_get_stdin_pipe (daemon), "\n", 1, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (g_subprocess_get_stdin_pipe (daemon), NULL, &error);
  g_assert_no_error (error);

  watch_id = g_bus_watch_name (G_BUS_TYPE_SESSION, SECRETS_BUS_NAME,
                               G_BUS_NAME_WATCHER_FLAGS_NONE, on_name_appeared, NULL,
                               &appeared, NULL);
  tether_test_wait_until (tether_test_flag_is_set, &appeared, WAIT_TIMEOUT_MS,
                          SECRETS_BUS_NAME " on the test bus");
  g_bus_unwatch_name (watch_id);

  g_test_add_func ("/tether/secrets/store-lookup", test_store_lookup);
  g_test_add_func ("/tether/secrets/replace", test_replace);
  g_test_add_func ("/tether/secrets/schema", test_schema);
  g_test_add_func ("/tether/secrets/clear", test_clear);
  status = g_test_run ();

  /* libsecret's default service and its collections hold each other and
   * the bus connection for good (see secret_service_disconnect()), so the
   * bus is stopped without g_test_dbus_down ()'s wait for the connection,
   * and the GTestDBus kept. */
  secret_service_disconnect ();
  g_subprocess_send_signal (daemon, SIGTERM);
  g_subprocess_wait (daemon, NULL, NULL);
  g_test_dbus_stop (bus);
  {
    const char *argv_rm[] = { "rm", "-rf", tmp, NULL };

    /* A whole tree of keyring files: let rm do it. */
    g_spawn_sync (NULL, (char **) argv_rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                  NULL, NULL);
  }
  return status;
}
