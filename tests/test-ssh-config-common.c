/* test-ssh-config-common.c: what the ssh_config test programs share. */
#include "config.h"

#include "test-ssh-config-common.h"

TetherSshConfig *
parse_ok (const char *text)
{
  g_autoptr(TetherSshConfig) cfg = tether_ssh_config_new ();
  g_autoptr(GError) error = NULL;

  tether_ssh_config_parse_data (cfg, text, -1, "test.conf", &error);
  g_assert_no_error (error);
  return g_steal_pointer (&cfg);
}

TetherHost *
resolve_ok (TetherSshConfig *cfg,
            const char      *alias)
{
  g_autoptr(GError) error = NULL;
  TetherHost *host = tether_ssh_config_resolve (cfg, alias, &error);

  g_assert_no_error (error);
  g_assert_nonnull (host);
  return host;
}

/* Parses TEXT strictly and checks that it fails with MESSAGE. */
void
assert_parse_error (const char *text,
                    const char *message)
{
  g_autoptr(TetherSshConfig) cfg = tether_ssh_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (tether_ssh_config_parse_data (cfg, text, -1, "bad.conf", &error));
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==, message);
}

void
write_file (const char *path,
            const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

char *
home_path (const char *relative)
{
  return g_build_filename (g_get_home_dir (), relative, NULL);
}

void
assert_strv (const char * const *got,
             const char * const *expected)
{
  g_autofree char *got_s = got ? g_strjoinv ("|", (char **) got) : g_strdup ("");
  g_autofree char *expected_s = g_strjoinv ("|", (char **) expected);

  g_assert_cmpstr (got_s, ==, expected_s);
}

void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

/* Points $HOME at a fresh temporary directory before GLib reads it, then initialises GTest:
 * the Include tests write ~/.ssh there, each case under its own file names, and `~` expands
 * to it. Not G_TEST_OPTION_ISOLATE_DIRS: its per-case g_set_user_dirs () leaks by design,
 * which LeakSanitizer reports. Returns the directory, for remove_tree () at the end. */
char *
test_ssh_config_init (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;
  char *home = g_dir_make_tmp ("test-ssh-config-XXXXXX", &error);

  g_assert_no_error (error);
  g_setenv ("HOME", home, TRUE);
  g_test_init (argc, argv, NULL);
  g_assert_cmpstr (g_get_home_dir (), ==, home);
  return home;
}
