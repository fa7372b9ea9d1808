/* test-ssh-config-openssh.c: Tether resolves ssh_config as OpenSSH does: every alias of a
 * set of configs against `ssh -G`, and an 8,000-host config with Include. */
#include "config.h"

#include "test-ssh-config-common.h"

/* ------------------------------------------------------------------------ */
/* Against OpenSSH                                                           */

static GPtrArray *
ssh_g_get (GHashTable *values,
           const char *key)
{
  GPtrArray *list = g_hash_table_lookup (values, key);

  if (list == NULL)
    {
      list = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (values, g_strdup (key), list);
    }
  return list;
}

static GHashTable *
run_ssh_g (const char *ssh,
           const char *path,
           const char *alias)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) env = g_get_environ ();
  g_auto(GStrv) lines = NULL;
  const char *argv[] = { ssh, "-G", "-F", path, alias, NULL };
  int status = 0;
  GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) g_ptr_array_unref);

  env = g_environ_setenv (env, "HOME", g_get_home_dir (), TRUE);
  g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("ssh -G -F %s %s failed: %s", path, alias, err);

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *space = strchr (lines[i], ' ');

      if (space == NULL)
        continue;
      *space = '\0';
      g_ptr_array_add (ssh_g_get (values, lines[i]), g_strdup (space + 1));
    }
  return values;
}

/* Replaces a leading HOME by ~, so that ssh's (from the password database)
 * and ours ($HOME) compare.
 */
static char *
tilde_home (const char *path,
            const char *home)
{
  gsize len = strlen (home);

  if (path != NULL && g_str_has_prefix (path, home) && (path[len] == '/' || path[len] == '\0'))
    return g_strconcat ("~", path + len, NULL);
  return g_strdup (path);
}

/* What ssh does to IdentityFile and CertificateFile when it loads them, for
 * the tokens the corpus uses; ~ stays ~.
 */
static char *
ssh_expand (const char *text,
            GHashTable *g,
            const char *alias)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p != '%' || p[1] == '\0')
        {
          g_string_append_c (out, *p);
          continue;
        }
      switch (*++p)
        {
        case 'h': g_string_append (out, ssh_g_get (g, "hostname")->pdata[0]); break;
        case 'p': g_string_append (out, ssh_g_get (g, "port")->pdata[0]); break;
        case 'r': g_string_append (out, ssh_g_get (g, "user")->pdata[0]); break;
        case 'n': g_string_append (out, alias); break;
        case 'u': g_string_append (out, g_get_user_name ()); break;
        case 'd': g_string_append (out, "~"); break;
        case '%': g_string_append_c (out, '%'); break;
        default: g_error ("the corpus uses %%%c, which this test does not expand", *p);
        }
    }
  return g_string_free (out, FALSE);
}

static char *
join_home (const char * const *list,
           const char          *home)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; list != NULL && list[i] != NULL; i++)
    {
      g_autofree char *t = tilde_home (list[i], home);

      g_string_append_printf (out, "%s%s", i ? "|" : "", t);
    }
  return g_string_free (out, FALSE);
}

static char *
strip_brackets (const char *s)
{
  GString *out = g_string_new (NULL);

  for (; s != NULL && *s != '\0'; s++)
    if (*s != '[' && *s != ']')
      g_string_append_c (out, *s);
  return g_string_free (out, FALSE);
}

static const char *
ssh_g_one (GHashTable *g,
           const char *key)
{
  GPtrArray *list = ssh_g_get (g, key);

  return list->len > 0 ? list->pdata[0] : NULL;
}

static void
compare_alias (TetherSshConfig *cfg,
               const char      *ssh,
               const char      *path,
               const char      *alias,
               const char      *ssh_home)
{
  g_autoptr(GHashTable) g = run_ssh_g (ssh, path, alias);
  g_autoptr(TetherHost) host = resolve_ok (cfg, alias);
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) certs = g_strv_builder_new ();
  g_auto(GStrv) ids_v = NULL;
  g_auto(GStrv) certs_v = NULL;
  g_auto(GStrv) raw_ids = NULL;
  const char *home = g_get_home_dir ();
  g_autofree char *ours = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *ssh_command = NULL;
  const char *value;
  const char *forwards[] = { "localforward", "remoteforward", "dynamicforward" };
  GPtrArray *list;

  g_test_message ("%s %s", path, alias);
  g_assert_cmpstr (tether_host_get_hostname (host), ==, ssh_g_one (g, "hostname"));
  g_assert_cmpuint (tether_host_get_port (host), ==,
                    g_ascii_strtoull (ssh_g_one (g, "port"), NULL, 10));
  g_assert_cmpstr (tether_host_get_user (host), ==, ssh_g_one (g, "user"));

  /* IdentityFile: as written (what ssh -G prints), then as ssh loads them. */
  list = ssh_g_get (g, "identityfile");
  raw_ids = tether_ssh_config_resolve_values (cfg, alias, "IdentityFile", NULL);
  if (raw_ids[0] != NULL)
    {
      g_autofree char *raw_ours = g_strjoinv ("|", raw_ids);
      g_ptr_array_add (list, NULL);
      theirs = g_strjoinv ("|", (char **) list->pdata);
      g_ptr_array_remove_index (list, list->len - 1);
      g_assert_cmpstr (raw_ours, ==, theirs);
      g_clear_pointer (&theirs, g_free);
    }
  for (guint i = 0; i < list->len; i++)
    if (strcmp (list->pdata[i], "none") != 0)
      {
        g_autofree char *expanded = ssh_expand (list->pdata[i], g, alias);
        g_strv_builder_add (ids, expanded);
      }
  ids_v = g_strv_builder_end (ids);
  ours = join_home (tether_host_get_identity_files (host), home);
  theirs = join_home ((const char * const *) ids_v, ssh_home);
  g_assert_cmpstr (ours, ==, theirs);
  g_clear_pointer (&ours, g_free);
  g_clear_pointer (&theirs, g_free);

  list = ssh_g_get (g, "certificatefile");
  for (guint i = 0; i < list->len; i++)
    {
      g_autofree char *expanded = ssh_expand (list->pdata[i], g, alias);
      g_strv_builder_add (certs, expanded);
    }
  certs_v = g_strv_builder_end (certs);
  ours = join_home (tether_host_get_certificate_files (host), home);
  theirs = join_home ((const char * const *) certs_v, ssh_home);
  g_assert_cmpstr (ours, ==, theirs);
  g_clear_pointer (&ours, g_free);
  g_clear_pointer (&theirs, g_free);

  g_assert_cmpstr (tether_host_get_identities_only (host) ? "yes" : "no", ==,
                   ssh_g_one (g, "identitiesonly"));
  g_assert_cmpstr (tether_host_get_forward_agent (host) ? "yes" : "no", ==,
                   ssh_g_one (g, "forwardagent"));
  g_assert_cmpuint (tether_host_get_server_alive_interval (host), ==,
                    g_ascii_strtoull (ssh_g_one (g, "serveraliveinterval"), NULL, 10));
  value = ssh_g_one (g, "connecttimeout");
  g_assert_cmpuint (tether_host_get_connect_timeout (host), ==,
                    g_strcmp0 (value, "none") == 0 ? 0 : g_ascii_strtoull (value, NULL, 10));

  ours = strip_brackets (tether_host_get_proxy_jump (host));
  theirs = strip_brackets (ssh_g_one (g, "proxyjump"));
  g_assert_cmpstr (ours, ==, theirs);
  g_clear_pointer (&ours, g_free);
  g_clear_pointer (&theirs, g_free);

  value = ssh_g_one (g, "proxycommand");
  if (value != NULL && strcmp (value, "none") != 0)
    ssh_command = ssh_expand (value, g, alias);
  g_assert_cmpstr (tether_host_get_proxy_command (host), ==, ssh_command);

  /* The first known_hosts file; unset means ~/.ssh/known_hosts. */
  ours = tilde_home (tether_host_get_known_hosts_file (host), home);
  if (ours == NULL)
    ours = g_strdup ("~/.ssh/known_hosts");
  value = ssh_g_one (g, "userknownhostsfile");
  {
    g_auto(GStrv) files = g_strsplit (value, " ", -1);
    theirs = tilde_home (files[0], ssh_home);
  }
  g_assert_cmpstr (ours, ==, theirs);
  g_clear_pointer (&ours, g_free);
  g_clear_pointer (&theirs, g_free);

  for (guint f = 0; f < G_N_ELEMENTS (forwards); f++)
    {
      g_auto(GStrv) mine = tether_ssh_config_resolve_values (cfg, alias, forwards[f], NULL);
      GString *s = g_string_new (NULL);

      list = ssh_g_get (g, forwards[f]);
      for (guint i = 0; i < list->len; i++)
        {
          /* ssh -G spells a dynamic remote forward with a dummy target. */
          g_autofree char *fwd = g_strdup (list->pdata[i]);

          if (g_str_has_suffix (fwd, " [socks]:0"))
            fwd[strlen (fwd) - strlen (" [socks]:0")] = '\0';
          g_string_append_printf (s, "%s%s", i ? "|" : "", fwd);
        }
      theirs = g_string_free (s, FALSE);
      ours = g_strjoinv ("|", mine);
      g_assert_cmpstr (ours, ==, theirs);
      g_clear_pointer (&ours, g_free);
      g_clear_pointer (&theirs, g_free);
    }
}

/* Enough hosts that a quadratic load would show, in the shapes that the
 * index treats apart: plain names, names in an included file under a named
 * block, wildcards, negations and one line with many patterns. */
#define LARGE_N_HOSTS 3000
#define LARGE_N_PATTERNS 5000

static void
test_large_config (void)
{
  g_autoptr(GString) main_text = g_string_new ("Host *.lab !skip*\n  ForwardAgent yes\n");
  g_autoptr(GString) inc_text = g_string_new (NULL);
  g_autofree char *main_path = home_path ("large/config");
  g_autofree char *inc_path = home_path ("large/inc.conf");
  g_autoptr(TetherSshConfig) cfg = tether_ssh_config_new ();
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) hosts = NULL;

  for (guint i = 0; i < LARGE_N_HOSTS; i++)
    g_string_append_printf (main_text,
                            "Host h%u h%u.lab skip%u !h%u\n"
                            "  HostName 10.0.%u.%u\n  Port %u\n  User u%u\n",
                            i, i, i, i + 1, i / 256, i % 256, 1000 + i, i);
  /* Only g1's block applies to g1, and the included file's blocks only there. */
  g_string_append_printf (main_text, "Host g1\n  Include %s\n", inc_path);
  g_string_append (inc_text, "IdentityFile ~/inc-key\nHost g1 g2\n  User inc-user\n"
                             "Host g2\n  Port 2\n");
  g_string_append (main_text, "Host g2\n  HostName g2.example.com\n");
  g_string_append (main_text, "Host");
  for (guint i = 0; i < LARGE_N_PATTERNS; i++)
    g_string_append_printf (main_text, " p%u", i);
  g_string_append (main_text, " !p7\n  User many\nHost *\n  Port 2222\n  User star\n");
  write_file (inc_path, inc_text->str);
  write_file (main_path, main_text->str);

  file = g_file_new_for_path (main_path);
  tether_ssh_config_load_file (cfg, file, &error);
  g_assert_no_error (error);

  hosts = tether_ssh_config_get_hosts (cfg);
  /* h, h.lab, skip per host; g1 g2; the patterns. */
  g_assert_cmpuint (g_strv_length (hosts), ==, 3 * LARGE_N_HOSTS + 2 + LARGE_N_PATTERNS);

  for (guint i = 0; i < LARGE_N_HOSTS; i++)
    {
      g_autofree char *name = g_strdup_printf ("h%u", i);
      g_autofree char *lab = g_strdup_printf ("h%u.lab", i);
      g_autofree char *skip = g_strdup_printf ("skip%u", i);
      g_autofree char *address = g_strdup_printf ("10.0.%u.%u", i / 256, i % 256);
      g_autofree char *user = NULL;
      g_autoptr(TetherHost) h = resolve_ok (cfg, name);
      g_autoptr(TetherHost) l = resolve_ok (cfg, lab);
      g_autoptr(TetherHost) k = resolve_ok (cfg, skip);

      /* hI's block says !hI+1: hI+1 gets only its own block's values. */
      user = g_strdup_printf ("u%u", i);
      g_assert_cmpstr (tether_host_get_hostname (h), ==, address);
      g_assert_cmpuint (tether_host_get_port (h), ==, 1000 + i);
      g_assert_cmpstr (tether_host_get_user (h), ==, user);
      g_assert_false (tether_host_get_forward_agent (h));
      g_assert_cmpstr (tether_host_get_hostname (l), ==, address);
      g_assert_true (tether_host_get_forward_agent (l));
      g_assert_false (tether_host_get_forward_agent (k));
      g_assert_cmpuint (tether_host_get_port (k), ==, 1000 + i);
    }
  {
    g_autoptr(TetherHost) g1 = resolve_ok (cfg, "g1");
    g_autoptr(TetherHost) g2 = resolve_ok (cfg, "g2");
    g_autoptr(TetherHost) p0 = resolve_ok (cfg, "p0");
    g_autoptr(TetherHost) p7 = resolve_ok (cfg, "p7");
    g_autoptr(TetherHost) last = NULL;
    g_autofree char *last_name = g_strdup_printf ("p%u", LARGE_N_PATTERNS - 1);
    g_autofree char *inc_key = home_path ("inc-key");

    g_assert_cmpstr (tether_host_get_user (g1), ==, "inc-user");
    g_assert_cmpstr (tether_host_get_identity_files (g1)[0], ==, inc_key);
    g_assert_cmpuint (tether_host_get_port (g1), ==, 2222);
    /* The Include sits in g1's block: none of it applies to g2. */
    g_assert_cmpstr (tether_host_get_user (g2), ==, "star");
    g_assert_cmpuint (tether_host_get_port (g2), ==, 2222);
    g_assert_cmpstr (tether_host_get_hostname (g2), ==, "g2.example.com");
    g_assert_cmpstr (tether_host_get_user (p0), ==, "many");
    g_assert_cmpstr (tether_host_get_user (p7), ==, "star");
    last = resolve_ok (cfg, last_name);
    g_assert_cmpstr (tether_host_get_user (last), ==, "many");
    g_assert_cmpstr (tether_host_get_hostname (last), ==, last_name);
  }
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
test_matches_ssh_g (void)
{
  g_autofree char *ssh = g_find_program_in_path ("ssh");
  g_autofree char *corpus = g_test_build_filename (G_TEST_DIST, "ssh-config", NULL);
  g_autofree char *work = home_path ("corpus");
  g_autofree char *inc_src = g_build_filename (corpus, "inc", NULL);
  g_autofree char *inc_dst = g_build_filename (work, "inc", NULL);
  g_autofree char *ssh_home = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  guint n_aliases = 0;

  if (ssh == NULL)
    {
      g_test_skip ("the OpenSSH client (ssh) is not installed");
      return;
    }
  /* ssh expands ~ from the password database, not from $HOME. */
  ssh_home = g_strdup (getpwuid (getuid ())->pw_dir);

  dir = g_dir_open (inc_src, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *src = g_build_filename (inc_src, name, NULL);
      g_autofree char *dst = g_build_filename (inc_dst, name, NULL);
      g_autofree char *text = NULL;

      g_file_get_contents (src, &text, NULL, &error);
      g_assert_no_error (error);
      write_file (dst, text);
    }
  g_clear_pointer (&dir, g_dir_close);

  dir = g_dir_open (corpus, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".conf"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_assert_cmpuint (names->len, >=, 20);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *src = g_build_filename (corpus, names->pdata[i], NULL);
      g_autofree char *dst = g_build_filename (work, names->pdata[i], NULL);
      g_autofree char *text = NULL;
      g_auto(GStrv) parts = NULL;
      g_auto(GStrv) aliases = NULL;
      g_autofree char *substituted = NULL;
      g_autoptr(TetherSshConfig) cfg = tether_ssh_config_new ();
      g_autoptr(GFile) file = NULL;
      const char *marker;

      g_file_get_contents (src, &text, NULL, &error);
      g_assert_no_error (error);
      parts = g_strsplit (text, "@DIR@", -1);
      substituted = g_strjoinv (work, parts);
      write_file (dst, substituted);

      marker = strstr (text, "# aliases:");
      g_assert_nonnull (marker);
      {
        g_autofree char *line = g_strndup (marker + strlen ("# aliases:"),
                                           strcspn (marker, "\n") - strlen ("# aliases:"));
        aliases = g_strsplit_set (g_strstrip (line), " ", -1);
      }

      file = g_file_new_for_path (dst);
      tether_ssh_config_load_file (cfg, file, &error);
      g_assert_no_error (error);

      for (guint a = 0; aliases[a] != NULL; a++)
        {
          if (*aliases[a] == '\0')
            continue;
          compare_alias (cfg, ssh, dst, aliases[a], ssh_home);
          n_aliases++;
        }
    }
  g_test_message ("compared %u aliases in %u files with ssh -G", n_aliases, names->len);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = test_ssh_config_init (&argc, &argv);
  int status;

  g_test_add_func ("/tether/ssh-config/matches-ssh-G", test_matches_ssh_g);
  g_test_add_func ("/tether/ssh-config/large-config", test_large_config);

  status = g_test_run ();
  remove_tree (home);
  return status;
}
