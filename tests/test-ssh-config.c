/* test-ssh-config.c: the ssh_config parser and resolver, keyword by keyword: quoting, Host and
 * Match, Include, bad and binary input, %-expansion, Tether's metadata, Match exec, and the
 * forward specifications. (The comparisons with `ssh -G` are in test-ssh-config-openssh.c.)
 *
 * main () points $HOME at a fresh temporary directory (removed at the end)
 * before GLib reads it: the Include tests write ~/.ssh there, each case under
 * its own file names, and `~` expands to it.
 */
#include "config.h"

#include "test-ssh-config-common.h"

static void
test_keywords (void)
{
  g_autoptr(TetherSshConfig) cfg = parse_ok (
    "Host k\n"
    "  HostName k.example.com\n"
    "  User kuser\n"
    "  Port 2222\n"
    "  IdentityFile /keys/a\n"
    "  CertificateFile /keys/a-cert.pub\n"
    "  IdentitiesOnly yes\n"
    "  ProxyJump bastion:2200\n"
    "  ForwardAgent yes\n"
    "  ServerAliveInterval 30\n"
    "  ConnectTimeout 1m\n"
    "  UserKnownHostsFile /kh/one /kh/two\n"
    "  LocalForward 8080 localhost:80\n"
    "  RemoteForward 9000 localhost:9000\n"
    "  DynamicForward 1080\n"
    "Host pc\n"
    "  ProxyCommand nc %h %p\n");
  g_autoptr(TetherHost) host = resolve_ok (cfg, "k");
  g_autoptr(TetherHost) pc = resolve_ok (cfg, "pc");
  g_auto(GStrv) local = NULL;
  g_auto(GStrv) remote = NULL;
  g_auto(GStrv) dynamic = NULL;

  g_assert_cmpstr (tether_host_get_alias (host), ==, "k");
  g_assert_cmpstr (tether_host_get_hostname (host), ==, "k.example.com");
  g_assert_cmpstr (tether_host_get_user (host), ==, "kuser");
  g_assert_cmpuint (tether_host_get_port (host), ==, 2222);
  assert_strv (tether_host_get_identity_files (host), (const char *[]) { "/keys/a", NULL });
  assert_strv (tether_host_get_certificate_files (host),
               (const char *[]) { "/keys/a-cert.pub", NULL });
  g_assert_true (tether_host_get_identities_only (host));
  g_assert_cmpstr (tether_host_get_proxy_jump (host), ==, "bastion:2200");
  g_assert_null (tether_host_get_proxy_command (host));
  g_assert_true (tether_host_get_forward_agent (host));
  g_assert_cmpuint (tether_host_get_server_alive_interval (host), ==, 30);
  g_assert_cmpuint (tether_host_get_connect_timeout (host), ==, 60);
  g_assert_cmpstr (tether_host_get_known_hosts_file (host), ==, "/kh/one");

  local = tether_ssh_config_resolve_values (cfg, "k", "LocalForward", NULL);
  remote = tether_ssh_config_resolve_values (cfg, "k", "remoteforward", NULL);
  dynamic = tether_ssh_config_resolve_values (cfg, "k", "DYNAMICFORWARD", NULL);
  assert_strv ((const char * const *) local, (const char *[]) { "8080 [localhost]:80", NULL });
  assert_strv ((const char * const *) remote,
               (const char *[]) { "9000 [localhost]:9000", NULL });
  assert_strv ((const char * const *) dynamic, (const char *[]) { "1080", NULL });

  g_assert_cmpstr (tether_host_get_proxy_command (pc), ==, "nc pc 22");
  g_assert_null (tether_host_get_proxy_jump (pc));
}

static void
test_defaults (void)
{
  g_autoptr(TetherSshConfig) cfg = parse_ok ("Host other\n  Port 1\n");
  g_autoptr(TetherHost) host = resolve_ok (cfg, "Plain.Example");
  const char * const *ids = tether_host_get_identity_files (host);
  g_autofree char *first = home_path (".ssh/id_rsa");
  g_autofree char *last = home_path (".ssh/id_dsa");

  /* ssh lower-cases the host name it connects to. */
  g_assert_cmpstr (tether_host_get_hostname (host), ==, "plain.example");
  g_assert_cmpuint (tether_host_get_port (host), ==, 22);
  g_assert_cmpstr (tether_host_get_user (host), ==, g_get_user_name ());
  g_assert_nonnull (ids);
  g_assert_cmpuint (g_strv_length ((char **) ids), ==, 7);
  g_assert_cmpstr (ids[0], ==, first);
  g_assert_cmpstr (ids[6], ==, last);
  g_assert_null (tether_host_get_certificate_files (host));
  g_assert_false (tether_host_get_identities_only (host));
  g_assert_false (tether_host_get_forward_agent (host));
  g_assert_cmpuint (tether_host_get_connect_timeout (host), ==, 0);
  g_assert_null (tether_host_get_known_hosts_file (host));
  g_assert_null (tether_host_get_label (host));
}

static void
test_quoting (void)
{
  g_autoptr(TetherSshConfig) cfg = parse_ok (
    "Host q\n"
    "  User \"john smith\"\n"
    "  IdentityFile \"/keys/my key\" # comment\n"
    "  CertificateFile '/keys/single quoted'\n"
    "  HostName q\"uo\"ted.example\n"
    "  SetEnv FOO=\"a b\"\n"
    "Host e\n"
    "  IdentityFile /keys/escaped\\ space\n");
  g_autoptr(TetherHost) q = resolve_ok (cfg, "q");
  g_autoptr(TetherHost) e = resolve_ok (cfg, "e");

  g_assert_cmpstr (tether_host_get_user (q), ==, "john smith");
  assert_strv (tether_host_get_identity_files (q), (const char *[]) { "/keys/my key", NULL });
  assert_strv (tether_host_get_certificate_files (q),
               (const char *[]) { "/keys/single quoted", NULL });
  g_assert_cmpstr (tether_host_get_hostname (q), ==, "quoted.example");
  assert_strv (tether_host_get_identity_files (e),
               (const char *[]) { "/keys/escaped space", NULL });

  assert_parse_error ("Host q\n  User \"open\n",
                      "bad.conf:2: User has a quote that is not closed.");
}

static void
test_separators (void)
{
  g_autoptr(TetherSshConfig) cfg = parse_ok (
    "HOST a\n"
    "  hostname=a.example\n"
    "  USER = root\n"
    "  Port= 2201\n"
    "  ServerAliveInterval =7\n"
    "\tConnectTimeout\t\t9   \r\n");
  g_autoptr(TetherHost) a = resolve_ok (cfg, "a");

  g_assert_cmpstr (tether_host_get_hostname (a), ==, "a.example");
  g_assert_cmpstr (tether_host_get_user (a), ==, "root");
  g_assert_cmpuint (tether_host_get_port (a), ==, 2201);
  g_assert_cmpuint (tether_host_get_server_alive_interval (a), ==, 7);
  g_assert_cmpuint (tether_host_get_connect_timeout (a), ==, 9);
}

static void
test_host_negation (void)
{
  g_autoptr(TetherSshConfig) cfg = parse_ok (
    "Host * !gateway\n"
    "  ProxyJump gateway\n"
    "Host !internal *.corp\n"
    "  User corpuser\n"
    "Host gateway\n"
    "  HostName gw.example\n");
  g_autoptr(TetherHost) web = resolve_ok (cfg, "web");
  g_autoptr(TetherHost) gw = resolve_ok (cfg, "gateway");
  g_autoptr(TetherHost) corp = resolve_ok (cfg, "db.corp");
  g_autoptr(TetherHost) internal = resolve_ok (cfg, "internal");

  g_assert_cmpstr (tether_host_get_proxy_jump (web), ==, "gateway");
  g_assert_null (tether_host_get_proxy_jump (gw));
  g_assert_cmpstr (tether_host_get_hostname (gw), ==, "gw.example");
  g_assert_cmpstr (tether_host_get_user (corp), ==, "corpuser");
  g_assert_cmpstr (tether_host_get_user (internal), ==, g_get_user_name ());
}

static void
test_wildcards (void)
{
  g_autoptr(TetherSshConfig) cfg = parse_ok (
    "Host h?\n  Port 1\n"
    "Host h*\n  Port 2\n"
    "Host *.example.com web-?" "?-*\n  User wild\n");
  g_autoptr(TetherHost) h1 = resolve_ok (cfg, "h1");
  g_autoptr(TetherHost) h12 = resolve_ok (cfg, "h12");
  g_autoptr(TetherHost) web = resolve_ok (cfg, "web-01-x");
  g_autoptr(TetherHost) ex = resolve_ok (cfg, "a.example.com");
  g_autoptr(TetherHost) upper = resolve_ok (cfg, "H1");

  g_assert_cmpuint (tether_host_get_port (h1), ==, 1);
  g_assert_cmpuint (tether_host_get_port (h12), ==, 2);
  g_assert_cmpstr (tether_host_get_user (web), ==, "wild");
  g_assert_cmpstr (tether_host_get_user (ex), ==, "wild");
  /* Host patterns are case-sensitive, as in OpenSSH. */
  g_assert_cmpuint (tether_host_get_port (upper), ==, 22);
}

static void
test_match_host (void)
{
  g_autoptr(TetherSshConfig) cfg = parse_ok (
    "Host short\n"
    "  HostName long.example.com\n"
    "Match host long.example.com\n"
    "  User matched\n"
    "Match originalhost short\n"
    "  Port 2200\n"
    "Match host *.EXAMPLE.org,!bad.example.org\n"
    "  User org\n");
  g_autoptr(TetherHost) s = resolve_ok (cfg, "short");
  g_autoptr(TetherHost) org = resolve_ok (cfg, "x.example.org");
  g_autoptr(TetherHost) bad = resolve_ok (cfg, "bad.example.org");

  g_assert_cmpstr (tether_host_get_user (s), ==, "matched");
  g_assert_cmpuint (tether_host_get_port (s), ==, 2200);
  g_assert_cmpstr (tether_host_get_user (org), ==, "org");
  g_assert_cmpstr (tether_host_get_user (bad), ==, g_get_user_name ());
}

static void
test_match_user (void)
{
  g_autofree char *text = g_strdup_printf (
    "Host a\n"
    "  User alice\n"
    "Match user alice\n"
    "  Port 1111\n"
    "Match user bob,carol\n"
    "  Port 2222\n"
    "Match localuser %s\n"
    "  ServerAliveInterval 5\n"
    "Match !localuser %s\n"
    "  ConnectTimeout 9\n", g_get_user_name (), g_get_user_name ());
  g_autoptr(TetherSshConfig) cfg = parse_ok (text);
  g_autoptr(TetherHost) a = resolve_ok (cfg, "a");

  g_assert_cmpuint (tether_host_get_port (a), ==, 1111);
  g_assert_cmpuint (tether_host_get_server_alive_interval (a), ==, 5);
  g_assert_cmpuint (tether_host_get_connect_timeout (a), ==, 0);
}

static void
test_match_all (void)
{
  g_autoptr(TetherSshConfig) cfg = parse_ok (
    "Host x\n  Port 1000\n"
    "Match all\n  User everyone\n  Port 5\n"
    "Match canonical all\n  ServerAliveInterval 3\n");
  g_autoptr(TetherHost) x = resolve_ok (cfg, "x");
  g_autoptr(TetherHost) y = resolve_ok (cfg, "y");

  g_assert_cmpuint (tether_host_get_port (x), ==, 1000);
  g_assert_cmpstr (tether_host_get_user (x), ==, "everyone");
  g_assert_cmpuint (tether_host_get_port (y), ==, 5);
  /* canonical is only true in ssh's final pass, which nothing asked for. */
  g_assert_cmpuint (tether_host_get_server_alive_interval (y), ==, 0);

  assert_parse_error ("Match all host x\n",
                      "bad.conf:1: Match “all” cannot be combined with other conditions.");
}

static void
test_match_exec_final (void)
{
  g_autoptr(TetherSshConfig) cfg = parse_ok (
    "Match exec \"true\"\n  Port 9999\n"
    "Match !exec \"test -x /\"\n  User notexec\n"
    "Host fin\n  HostName final.example.com\n"
    "Match final host final.example.com\n  ConnectTimeout 4\n"
    "Host final.example.com\n  ServerAliveInterval 8\n");
  g_autoptr(TetherHost) h = resolve_ok (cfg, "fin");

  /* exec cannot be evaluated: it counts as false. */
  g_assert_cmpuint (tether_host_get_port (h), ==, 22);
  g_assert_cmpstr (tether_host_get_user (h), ==, "notexec");
  /* Match final triggers a second pass in which Host matches the final name. */
  g_assert_cmpuint (tether_host_get_connect_timeout (h), ==, 4);
  g_assert_cmpuint (tether_host_get_server_alive_interval (h), ==, 8);
}

static void
test_include_glob (void)
{
  g_autoptr(TetherSshConfig) cfg = tether_ssh_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *config = home_path (".ssh/config");
  g_autofree char *a = home_path (".ssh/config.d/10-a.conf");
  g_autofree char *b = home_path (".ssh/config.d/20-b.conf");
  g_autofree char *ignored = home_path (".ssh/config.d/notes.txt");
  g_autofree char *abs_inc = home_path ("elsewhere/abs.conf");
  g_autofree char *config_text = g_strdup_printf (
    "Include %s ~/missing/*.conf\n"
    "Include config.d/*.conf\n"
    "Host main\n"
    "  Include config.d/*.conf\n"
    "  User mainuser\n", abs_inc);
  g_autoptr(GFile) file = NULL;
  g_autoptr(TetherHost) main_host = NULL;
  g_autoptr(TetherHost) ha = NULL;
  g_autoptr(TetherHost) hb = NULL;
  g_autoptr(TetherHost) habs = NULL;
  g_auto(GStrv) hosts = NULL;

  write_file (config, config_text);
  write_file (a, "Host a\n  HostName a.example\n  #@tether group=Inc\n");
  write_file (b, "Host b a\n  Port 2002\n");
  write_file (ignored, "this is not ssh_config\n");
  write_file (abs_inc, "Host abs\n  User absuser\n");

  file = g_file_new_for_path (config);
  g_assert_true (tether_ssh_config_load_file (cfg, file, &error));
  g_assert_no_error (error);

  main_host = resolve_ok (cfg, "main");
  ha = resolve_ok (cfg, "a");
  hb = resolve_ok (cfg, "b");
  habs = resolve_ok (cfg, "abs");

  /* Host lines of an included file do not end the includer's block. */
  g_assert_cmpstr (tether_host_get_user (main_host), ==, "mainuser");
  g_assert_cmpuint (tether_host_get_port (main_host), ==, 22);
  g_assert_cmpstr (tether_host_get_hostname (ha), ==, "a.example");
  g_assert_cmpuint (tether_host_get_port (ha), ==, 2002);
  g_assert_cmpstr (tether_host_get_group (ha), ==, "Inc");
  g_assert_cmpuint (tether_host_get_port (hb), ==, 2002);
  g_assert_cmpstr (tether_host_get_user (habs), ==, "absuser");

  hosts = tether_ssh_config_get_hosts (cfg);
  assert_strv ((const char * const *) hosts, (const char *[]) { "abs", "a", "b", "main", NULL });
}

static void
test_include_loop (void)
{
  g_autoptr(TetherSshConfig) cfg = tether_ssh_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *config = home_path (".ssh/loop-top.conf");
  g_autofree char *one = home_path (".ssh/one.conf");
  g_autoptr(GFile) file = NULL;

  write_file (config, "Host x\n  Port 1\nInclude one.conf\n");
  write_file (one, "# comment\nHost y\n  Include loop-top.conf\n");
  file = g_file_new_for_path (config);

  g_assert_false (tether_ssh_config_load_file (cfg, file, &error));
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==,
                   "~/.ssh/one.conf:3: Include of “~/.ssh/loop-top.conf” makes a loop: that file "
                   "includes this one.");
  g_assert_cmpuint (tether_ssh_config_get_blocks (cfg)->len, ==, 0);
}

static void
test_include_depth (void)
{
  g_autoptr(TetherSshConfig) cfg = tether_ssh_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *top = home_path (".ssh/deep0.conf");
  g_autoptr(GFile) file = NULL;
  g_autofree char *expected = NULL;

  /* A chain of distinct files, longer than OpenSSH allows. */
  for (guint i = 0; i < TETHER_SSH_CONFIG_MAX_INCLUDE_DEPTH + 4; i++)
    {
      g_autofree char *name = g_strdup_printf (".ssh/deep%u.conf", i);
      g_autofree char *path = home_path (name);
      g_autofree char *text = g_strdup_printf ("Include deep%u.conf\n", i + 1);

      write_file (path, text);
    }
  file = g_file_new_for_path (top);
  g_assert_false (tether_ssh_config_load_file (cfg, file, &error));
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG);
  expected = g_strdup_printf ("~/.ssh/deep%u.conf:1: Include of “~/.ssh/deep%u.conf” nests "
                              "files more than %d deep.",
                              TETHER_SSH_CONFIG_MAX_INCLUDE_DEPTH,
                              TETHER_SSH_CONFIG_MAX_INCLUDE_DEPTH + 1,
                              TETHER_SSH_CONFIG_MAX_INCLUDE_DEPTH);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_include_not_followed_from_data (void)
{
  g_autofree char *inc = home_path (".ssh/inc.conf");
  g_autoptr(TetherSshConfig) cfg = NULL;
  g_autoptr(TetherHost) h = NULL;

  write_file (inc, "Host h\n  Port 7\n");
  cfg = parse_ok ("Include inc.conf\n");
  h = resolve_ok (cfg, "h");
  /* parse_data () touches no file. */
  g_assert_cmpuint (tether_host_get_port (h), ==, 22);
}

static void
test_bad_lines (void)
{
  assert_parse_error ("Host a\n  Port abc\n",
                      "bad.conf:2: Port “abc” is not a number from 1 to 65535.");
  assert_parse_error ("\n\nPort 0\n", "bad.conf:3: Port “0” is not a number from 1 to 65535.");
  assert_parse_error ("Host a\n  Port 65536\n",
                      "bad.conf:2: Port “65536” is not a number from 1 to 65535.");
  assert_parse_error ("Host a\n  Port 22 23\n",
                      "bad.conf:2: Port takes one value, but the line has 2.");
  assert_parse_error ("Host\n", "bad.conf:1: Host needs a value.");
  assert_parse_error ("User\n", "bad.conf:1: User needs a value.");
  assert_parse_error ("User # nothing\n", "bad.conf:1: User needs a value.");
  assert_parse_error ("IdentitiesOnly maybe\n",
                      "bad.conf:1: IdentitiesOnly “maybe” is not yes or no.");
  assert_parse_error ("ServerAliveInterval 5x\n",
                      "bad.conf:1: ServerAliveInterval “5x” is not a time such as 30, 5m or 1h.");
  assert_parse_error ("LocalForward 8080\n",
                      "bad.conf:1: LocalForward “8080” needs a destination, such as "
                      "8080 localhost:80.");
  assert_parse_error ("LocalForward 8080 nowhere\n",
                      "bad.conf:1: LocalForward “8080 nowhere” is not a forwarding such as "
                      "8080 localhost:80.");
  assert_parse_error ("DynamicForward a:b:c\n",
                      "bad.conf:1: DynamicForward “a:b:c” is not a port or address:port to "
                      "listen on.");
  assert_parse_error ("Match colour blue\n",
                      "bad.conf:1: Match condition “colour” is not one of all, canonical, final, "
                      "exec, host, originalhost, user or localuser.");
  assert_parse_error ("Match host\n", "bad.conf:1: Match condition “host” needs a value.");
  assert_parse_error ("Host a\n#@tether nokey\n",
                      "bad.conf:2: “#@tether” lines take the form key=value.");
  assert_parse_error ("ProxyJump a,,b\n",
                      "bad.conf:1: ProxyJump “a,,b” is not a list of hosts such as "
                      "user@host:port,host2.");
}

static void
test_binary_input (void)
{
  static const char nul[] = "Host a\n  Port 1\0 2\n";
  g_autoptr(TetherSshConfig) cfg = tether_ssh_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (tether_ssh_config_parse_data (cfg, nul, sizeof nul - 1, "bin", &error));
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==, "bin:2: The line contains a NUL byte.");
  g_clear_error (&error);

  g_assert_false (tether_ssh_config_parse_data (cfg, "User \xff\xfe\n", -1, "bin", &error));
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==, "bin:1: The line is not valid UTF-8.");
  g_clear_error (&error);

  /* Invalid UTF-8 in a comment does not matter. */
  g_assert_true (tether_ssh_config_parse_data (cfg, "# caf\xe9\nUser a\n", -1, "bin", &error));
  g_assert_no_error (error);
}

static void
test_lenient (void)
{
  g_autoptr(TetherSshConfig) cfg = tether_ssh_config_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherHost) a = NULL;
  GPtrArray *errors;
  GPtrArray *blocks;
  TetherSshConfigBlock *block;
  TetherSshConfigOption *bad;

  tether_ssh_config_set_lenient (cfg, TRUE);
  g_assert_true (tether_ssh_config_parse_data (cfg,
    "Host a\n"
    "  Port abc\n"
    "  User kept\n"
    "  Port 2000\n"
    "Match nonsense\n"
    "  User never\n", -1, "len.conf", &error));
  g_assert_no_error (error);

  errors = tether_ssh_config_get_errors (cfg);
  g_assert_cmpuint (errors->len, ==, 2);
  g_assert_cmpstr (((GError *) errors->pdata[0])->message, ==,
                   "len.conf:2: Port “abc” is not a number from 1 to 65535.");
  g_assert_true (g_str_has_prefix (((GError *) errors->pdata[1])->message, "len.conf:5: "));

  a = resolve_ok (cfg, "a");
  g_assert_cmpuint (tether_host_get_port (a), ==, 2000);
  g_assert_cmpstr (tether_host_get_user (a), ==, "kept");

  /* The bad line is kept, so that a writer does not lose it. */
  blocks = tether_ssh_config_get_blocks (cfg);
  block = g_ptr_array_index (blocks, 1);
  bad = g_ptr_array_index (tether_ssh_config_block_get_options (block), 0);
  g_assert_cmpstr (tether_ssh_config_option_get_value (bad), ==, "abc");
  g_assert_false (tether_ssh_config_option_is_valid (bad));
}

static void
test_percent_expansion (void)
{
  g_autoptr(TetherSshConfig) cfg = parse_ok (
    "Host tok\n"
    "  HostName %h.Example.COM\n"
    "  User tokuser\n"
    "  Port 2323\n"
    "  IdentityFile ~/.ssh/%h_%p_%r_%n\n"
    "  IdentityFile %d/keys/%u/100%%\n"
    "  CertificateFile ~/certs/${TETHER_TEST_CERT}\n"
    "  ProxyCommand ssh -W %h:%p -l %r ~/jump\n"
    "  UserKnownHostsFile ~/kh/%k\n"
    "Host badtoken\n"
    "  IdentityFile ~/%z\n"
    "Host badenv\n"
    "  IdentityFile ~/${TETHER_TEST_UNSET_VARIABLE}\n");
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(TetherHost) none = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id1 = home_path (".ssh/tok.example.com_2323_tokuser_tok");
  g_autofree char *id2 = g_strdup_printf ("%s/keys/%s/100%%", g_get_home_dir (),
                                          g_get_user_name ());
  g_autofree char *cert = home_path ("certs/the-cert");
  g_autofree char *kh = home_path ("kh/tok");

  g_setenv ("TETHER_TEST_CERT", "the-cert", TRUE);
  g_unsetenv ("TETHER_TEST_UNSET_VARIABLE");
  host = resolve_ok (cfg, "tok");

  g_assert_cmpstr (tether_host_get_hostname (host), ==, "tok.example.com");
  assert_strv (tether_host_get_identity_files (host), (const char *[]) { id1, id2, NULL });
  assert_strv (tether_host_get_certificate_files (host), (const char *[]) { cert, NULL });
  /* The command goes to /bin/sh -c, which expands its ~ itself. */
  g_assert_cmpstr (tether_host_get_proxy_command (host), ==,
                   "ssh -W tok.example.com:2323 -l tokuser ~/jump");
  g_assert_cmpstr (tether_host_get_known_hosts_file (host), ==, kh);

  g_assert_null (tether_ssh_config_resolve (cfg, "badtoken", &error));
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==,
                   "IdentityFile “~/%z” uses “%z”, which means nothing there.");
  g_clear_error (&error);
  g_assert_null (tether_ssh_config_resolve (cfg, "badenv", &error));
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG);
  g_clear_error (&error);

  none = resolve_ok (cfg, "badtoken-not");
  g_assert_cmpuint (g_strv_length ((char **) tether_host_get_identity_files (none)), ==, 7);
}

static void
test_first_value_wins (void)
{
  g_autoptr(TetherSshConfig) cfg = parse_ok (
    "Host app\n  Port 2001\n  Port 2002\n  User first\n"
    "Host app*\n  Port 3001\n  User second\n  HostName cluster.example\n"
    "  IdentityFile /k/2\n"
    "Host *\n  Port 4001\n  HostName fallback.example\n  IdentityFile /k/1\n"
    "  IdentityFile /k/2\n");
  g_autoptr(TetherHost) app = resolve_ok (cfg, "app");
  g_autoptr(TetherHost) app2 = resolve_ok (cfg, "app2");
  g_autoptr(TetherHost) other = resolve_ok (cfg, "other");
  g_auto(GStrv) ports = tether_ssh_config_resolve_values (cfg, "app", "Port", NULL);

  g_assert_cmpuint (tether_host_get_port (app), ==, 2001);
  g_assert_cmpstr (tether_host_get_user (app), ==, "first");
  g_assert_cmpstr (tether_host_get_hostname (app), ==, "cluster.example");
  assert_strv ((const char * const *) ports, (const char *[]) { "2001", NULL });
  /* IdentityFile accumulates, without duplicates. */
  assert_strv (tether_host_get_identity_files (app), (const char *[]) { "/k/2", "/k/1", NULL });
  g_assert_cmpuint (tether_host_get_port (app2), ==, 3001);
  g_assert_cmpstr (tether_host_get_user (app2), ==, "second");
  g_assert_cmpuint (tether_host_get_port (other), ==, 4001);
  g_assert_cmpstr (tether_host_get_hostname (other), ==, "fallback.example");
}

static void
test_unknown_keyword (void)
{
  g_autoptr(TetherSshConfig) cfg = parse_ok (
    "Host u\n"
    "  UseKeychain yes\n"
    "  HostName u.example\n"
    "  SendEnv   LANG LC_*   # env\n"
    "  Frobnicate \"a b\" c\n");
  TetherSshConfigBlock *block = g_ptr_array_index (tether_ssh_config_get_blocks (cfg), 1);
  g_autoptr(GPtrArray) unknown = tether_ssh_config_block_dup_unknown_options (block);
  TetherSshConfigOption *opt;
  g_auto(GStrv) values = NULL;

  g_assert_cmpuint (unknown->len, ==, 3);
  opt = g_ptr_array_index (unknown, 0);
  g_assert_cmpstr (tether_ssh_config_option_get_keyword (opt), ==, "UseKeychain");
  g_assert_cmpstr (tether_ssh_config_option_get_value (opt), ==, "yes");
  g_assert_cmpuint (tether_ssh_config_option_get_line (opt), ==, 2);
  g_assert_false (tether_ssh_config_option_is_known (opt));
  opt = g_ptr_array_index (unknown, 1);
  g_assert_cmpstr (tether_ssh_config_option_get_value (opt), ==, "LANG LC_*   # env");
  assert_strv (tether_ssh_config_option_get_args (opt), (const char *[]) { "LANG", "LC_*", NULL });
  opt = g_ptr_array_index (unknown, 2);
  g_assert_cmpstr (tether_ssh_config_option_get_value (opt), ==, "\"a b\" c");
  assert_strv (tether_ssh_config_option_get_args (opt), (const char *[]) { "a b", "c", NULL });

  values = tether_ssh_config_resolve_values (cfg, "u", "frobnicate", NULL);
  assert_strv ((const char * const *) values, (const char *[]) { "\"a b\" c", NULL });
}

static void
test_tether_metadata (void)
{
  g_autoptr(TetherSshConfig) cfg = parse_ok (
    "#@tether file-version=1\n"
    "Host work\n"
    "  #@tether label=Work server\n"
    "  #@tether group = Office \n"
    "  #@tether colour=#3584e4\n"
    "  HostName work.example.com\n"
    "  # an ordinary comment\n"
    "Host home\n"
    "  #@tether label=Home\n"
    "Host *\n"
    "  #@tether group=Everything else\n");
  GPtrArray *blocks = tether_ssh_config_get_blocks (cfg);
  TetherSshConfigBlock *global = g_ptr_array_index (blocks, 0);
  TetherSshConfigBlock *work = g_ptr_array_index (blocks, 1);
  g_autoptr(TetherHost) w = resolve_ok (cfg, "work");
  g_autoptr(TetherHost) h = resolve_ok (cfg, "home");

  g_assert_cmpuint (blocks->len, ==, 4);
  g_assert_cmpint (tether_ssh_config_block_get_kind (global), ==,
                   TETHER_SSH_CONFIG_BLOCK_GLOBAL);
  g_assert_cmpstr (tether_ssh_config_block_get_metadata (global, "file-version"), ==, "1");
  g_assert_cmpint (tether_ssh_config_block_get_kind (work), ==, TETHER_SSH_CONFIG_BLOCK_HOST);
  g_assert_cmpuint (tether_ssh_config_block_get_line (work), ==, 2);
  assert_strv (tether_ssh_config_block_get_patterns (work), (const char *[]) { "work", NULL });
  assert_strv (tether_ssh_config_block_get_metadata_keys (work),
               (const char *[]) { "label", "group", "colour", NULL });
  g_assert_cmpstr (tether_ssh_config_block_get_metadata (work, "colour"), ==, "#3584e4");
  g_assert_cmpstr (tether_ssh_config_block_get_metadata (work, "group"), ==, "Office");
  g_assert_cmpuint (tether_ssh_config_block_get_options (work)->len, ==, 1);

  g_assert_cmpstr (tether_host_get_label (w), ==, "Work server");
  g_assert_cmpstr (tether_host_get_group (w), ==, "Office");
  g_assert_cmpstr (tether_host_get_label (h), ==, "Home");
  g_assert_cmpstr (tether_host_get_group (h), ==, "Everything else");
}

static void
test_hosts_and_blocks (void)
{
  g_autoptr(TetherSshConfig) cfg = parse_ok (
    "User everyone\n"
    "Host a b *.wild !neg\n  Port 1\n"
    "Match host c\n  Port 2\n"
    "Host b c?\n  Port 3\n"
    "Host d\n");
  g_auto(GStrv) hosts = tether_ssh_config_get_hosts (cfg);
  GPtrArray *blocks = tether_ssh_config_get_blocks (cfg);
  TetherSshConfigBlock *match = g_ptr_array_index (blocks, 2);

  assert_strv ((const char * const *) hosts, (const char *[]) { "a", "b", "d", NULL });
  g_assert_cmpuint (blocks->len, ==, 5);
  g_assert_cmpint (tether_ssh_config_block_get_kind (match), ==, TETHER_SSH_CONFIG_BLOCK_MATCH);
  assert_strv (tether_ssh_config_block_get_patterns (match),
               (const char *[]) { "host", "c", NULL });
  g_assert_cmpstr (tether_ssh_config_block_get_filename (match), ==, "test.conf");
  g_assert_cmpuint (tether_ssh_config_block_get_options (g_ptr_array_index (blocks, 0))->len,
                    ==, 1);
}

static void
assert_error_contains (GPtrArray  *errors,
                       guint       index,
                       const char *where,
                       const char *what)
{
  const GError *e;

  g_assert_cmpuint (errors->len, >, index);
  e = g_ptr_array_index (errors, index);
  g_assert_error (e, TETHER_ERROR, TETHER_ERROR_CONFIG);
  if (strstr (e->message, where) == NULL || strstr (e->message, what) == NULL)
    g_error ("“%s” does not say “%s” and “%s”", e->message, where, what);
}

/* A device or a FIFO is refused with the Include's file:line; the hosts
 * around it stay. Before: /dev/zero was read until memory ran out. */
static void
test_include_not_regular (void)
{
  g_autofree char *fifo = home_path ("notreg/fifo");
  g_autofree char *path = home_path ("notreg/config");
  g_autofree char *text = g_strdup_printf ("Host a\n  User ay\nInclude /dev/zero\n"
                                           "Include %s\nHost b\n  User bee\n", fifo);
  g_autoptr(TetherSshConfig) lenient = tether_ssh_config_new ();
  g_autoptr(TetherSshConfig) strict = tether_ssh_config_new ();
  g_autoptr(TetherSshConfig) direct = tether_ssh_config_new ();
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) zero = g_file_new_for_path ("/dev/zero");
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherHost) a = NULL;
  g_autoptr(TetherHost) b = NULL;

  write_file (path, text);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  file = g_file_new_for_path (path);

  tether_ssh_config_set_lenient (lenient, TRUE);
  g_assert_true (tether_ssh_config_load_file (lenient, file, &error));
  g_assert_no_error (error);
  assert_error_contains (tether_ssh_config_get_errors (lenient), 0, "config:3:",
                         "not a regular file");
  assert_error_contains (tether_ssh_config_get_errors (lenient), 1, "config:4:",
                         "not a regular file");
  a = resolve_ok (lenient, "a");
  b = resolve_ok (lenient, "b");
  g_assert_cmpstr (tether_host_get_user (a), ==, "ay");
  g_assert_cmpstr (tether_host_get_user (b), ==, "bee");

  g_assert_false (tether_ssh_config_load_file (strict, file, &error));
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "config:3:"));
  g_clear_error (&error);

  g_assert_false (tether_ssh_config_load_file (direct, zero, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE);
}

/* A file over the cap is refused, not read whole. */
static void
test_file_size_cap (void)
{
  g_autofree char *big = home_path ("sizecap/big.conf");
  g_autofree char *path = home_path ("sizecap/config");
  g_autofree char *text = g_strdup_printf ("Include %s\nHost c\n  User sea\n", big);
  g_autoptr(TetherSshConfig) lenient = tether_ssh_config_new ();
  g_autoptr(TetherSshConfig) direct = tether_ssh_config_new ();
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) big_file = g_file_new_for_path (big);
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherHost) c = NULL;

  write_file (big, "Host big\n");
  /* Sparse: one byte over the cap costs no disk. */
  g_assert_cmpint (truncate (big, TETHER_SSH_CONFIG_MAX_FILE_SIZE + 1), ==, 0);
  write_file (path, text);
  file = g_file_new_for_path (path);

  tether_ssh_config_set_lenient (lenient, TRUE);
  g_assert_true (tether_ssh_config_load_file (lenient, file, &error));
  g_assert_no_error (error);
  assert_error_contains (tether_ssh_config_get_errors (lenient), 0, "config:1:", "larger than");
  c = resolve_ok (lenient, "c");
  g_assert_cmpstr (tether_host_get_user (c), ==, "sea");

  g_assert_false (tether_ssh_config_load_file (direct, big_file, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
}

/* An Include glob skips the folders it matches (config.d/archive/), as ssh does. */
static void
test_include_skips_folders (void)
{
  g_autofree char *conf = home_path (".ssh/folders.d/a.conf");
  g_autofree char *archived = home_path (".ssh/folders.d/archive/old.conf");
  g_autofree char *path = home_path ("folders/config");
  g_autoptr(TetherSshConfig) cfg = tether_ssh_config_new ();
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherHost) a = NULL;
  g_auto(GStrv) hosts = NULL;

  write_file (conf, "Host in-folder\n  User folder\n");
  write_file (archived, "Host archived\n  User old\n");
  write_file (path, "Include folders.d/*\nHost after\n  User later\n");
  file = g_file_new_for_path (path);

  g_assert_true (tether_ssh_config_load_file (cfg, file, &error));
  g_assert_no_error (error);
  hosts = tether_ssh_config_get_hosts (cfg);
  assert_strv ((const char * const *) hosts, (const char *[]) { "in-folder", "after", NULL });
  a = resolve_ok (cfg, "in-folder");
  g_assert_cmpstr (tether_host_get_user (a), ==, "folder");
}

/* ssh never reads comments: a Latin-1 byte there is fine. In a real line it
 * is reported with file:line, and the other hosts stay. */
static void
test_comment_encoding (void)
{
  g_autoptr(TetherSshConfig) cfg = parse_ok ("# caf\xe9\nHost x # caf\xe9\n"
                                             "  User u # r\xe9sum\xe9\n");
  g_autoptr(TetherSshConfig) lenient = tether_ssh_config_new ();
  g_autoptr(TetherHost) x = resolve_ok (cfg, "x");
  g_autoptr(TetherHost) z = NULL;
  g_auto(GStrv) hosts = NULL;

  g_assert_cmpstr (tether_host_get_user (x), ==, "u");
  assert_parse_error ("Host y\n  HostName caf\xe9\n",
                      "bad.conf:2: The line is not valid UTF-8.");

  tether_ssh_config_set_lenient (lenient, TRUE);
  g_assert_true (tether_ssh_config_parse_data (lenient, "Host y\n  HostName caf\xe9\n"
                                               "Host z\n  User zed\n", -1, "t.conf", NULL));
  assert_error_contains (tether_ssh_config_get_errors (lenient), 0, "t.conf:2:", "UTF-8");
  hosts = tether_ssh_config_get_hosts (lenient);
  assert_strv ((const char * const *) hosts, (const char *[]) { "y", "z", NULL });
  z = resolve_ok (lenient, "z");
  g_assert_cmpstr (tether_host_get_user (z), ==, "zed");
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  tether_host_store_load_default_finish (TETHER_HOST_STORE (source), result, &error);
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static gboolean
deadline_cb (gpointer user_data)
{
  g_error ("Timed out waiting for %s", (const char *) user_data);
  return G_SOURCE_REMOVE;
}

/* The app's path: the store lists the good hosts and reports the bad lines. */
static void
test_store_reports_config_errors (void)
{
  g_autofree char *path = home_path ("store-errors/config");
  g_autofree char *hosts_path = home_path ("store-errors/hosts.conf");
  g_autoptr(TetherHostStore) store = NULL;
  GPtrArray *errors;
  gboolean done = FALSE;
  guint deadline;

  write_file (path, "Host good1\n  User one\nHost bad\n  HostName caf\xe9\n"
                    "Include /dev/zero\nHost good2\n  User two\n");
  store = tether_host_store_new_for_paths (path, hosts_path);
  tether_host_store_load_default_async (store, NULL, loaded_cb, &done);
  deadline = g_timeout_add_seconds (60, deadline_cb, (gpointer) "the store to load");
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (deadline);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 3);
  errors = tether_host_store_get_config_errors (store);
  g_assert_cmpuint (errors->len, ==, 2);
  assert_error_contains (errors, 0, "config:4:", "UTF-8");
  assert_error_contains (errors, 1, "config:5:", "not a regular file");
}

/* Short, so that the test of a hanging command is quick; the real timeout is
 * TETHER_SSH_CONFIG_EXEC_TIMEOUT_MS. */
#define TEST_EXEC_TIMEOUT_MS 300

typedef struct {
  TetherHost *host;
  GStrv warnings;
  GError *error;
  gboolean done;
} ResolveResult;

static void
resolved_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ResolveResult *r = user_data;

  r->host = tether_host_resolve_finish (TETHER_HOST (source), result, &r->warnings, &r->error);
  r->done = TRUE;
}

static void
resolve_async_ok (TetherHost   *host,
                  ResolveResult *r)
{
  guint deadline = g_timeout_add_seconds (60, deadline_cb, (gpointer) "Match exec");

  tether_host_resolve_async (host, NULL, resolved_cb, r);
  while (!r->done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (deadline);
  g_assert_no_error (r->error);
  g_assert_nonnull (r->host);
}

/* Listing never runs Match exec; resolving before connecting does, on a
 * thread, with the tokens expanded; a command that hangs is killed. */
static void
test_match_exec_async (void)
{
  g_autofree char *marker = home_path ("exec/marker");
  g_autofree char *pidfile = home_path ("exec/pid");
  g_autofree char *text = g_strdup_printf (
    "Host ex\n  HostName ex.example.com\n"
    "Match host ex.example.com exec \"touch %s; test %%h = ex.example.com -a %%n = ex "
    "-a %%p = 22 -a %%r = %%u\"\n  User exec-user\n"
    "Match originalhost hang exec \"echo $$ > %s; exec sleep 600\"\n  User hung\n"
    "Host plain\n  User p\n",
    marker, pidfile);
  g_autoptr(TetherSshConfig) cfg = NULL;
  g_autoptr(TetherHost) ex = NULL;
  g_autoptr(TetherHost) hang = NULL;
  g_autoptr(TetherHost) plain = NULL;
  g_autofree char *pid_text = NULL;
  ResolveResult r1 = { 0, };
  ResolveResult r2 = { 0, };
  ResolveResult r3 = { 0, };
  g_auto(GStrv) hosts = NULL;

  write_file (pidfile, "");
  cfg = parse_ok (text);
  hosts = tether_ssh_config_get_hosts (cfg);
  for (guint i = 0; hosts[i] != NULL; i++)
    {
      g_autoptr(TetherHost) h = resolve_ok (cfg, hosts[i]);

      g_assert_cmpstr (tether_host_get_user (h), !=, "exec-user");
    }
  ex = resolve_ok (cfg, "ex");
  hang = resolve_ok (cfg, "hang");
  plain = resolve_ok (cfg, "plain");
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
  g_assert_true (tether_host_has_pending_match_exec (ex));
  g_assert_true (tether_host_has_pending_match_exec (hang));
  g_assert_false (tether_host_has_pending_match_exec (plain));
  g_assert_cmpstr (tether_host_get_user (ex), ==, g_get_user_name ());

  resolve_async_ok (ex, &r1);
  g_assert_true (g_file_test (marker, G_FILE_TEST_EXISTS));
  g_assert_cmpstr (tether_host_get_user (r1.host), ==, "exec-user");
  g_assert_cmpstr (tether_host_get_hostname (r1.host), ==, "ex.example.com");
  g_assert_cmpuint (g_strv_length (r1.warnings), ==, 0);

  resolve_async_ok (plain, &r3);
  g_assert_true (r3.host == plain);

  _tether_ssh_config_set_exec_timeout (TEST_EXEC_TIMEOUT_MS);
  resolve_async_ok (hang, &r2);
  _tether_ssh_config_set_exec_timeout (0);
  g_assert_cmpstr (tether_host_get_user (r2.host), ==, g_get_user_name ());
  g_assert_cmpuint (g_strv_length (r2.warnings), ==, 1);
  g_assert_nonnull (strstr (r2.warnings[0], "did not finish"));
  /* The shell (exec'd into sleep) was killed and reaped. */
  g_file_get_contents (pidfile, &pid_text, NULL, NULL);
  g_assert_cmpint (atoi (pid_text), >, 0);
  g_assert_cmpint (kill (atoi (pid_text), 0), ==, -1);

  g_clear_object (&r1.host);
  g_clear_object (&r2.host);
  g_clear_object (&r3.host);
  g_strfreev (r1.warnings);
  g_strfreev (r2.warnings);
  g_strfreev (r3.warnings);
}

/* ---- Forward specifications ---------------------------------------------- */

typedef struct {
  TetherForwardKind kind;
  const char *spec;
  const char *bind_address;  /* NULL: none */
  guint bind_port;
  const char *host;          /* NULL: a SOCKS proxy */
  guint host_port;
  const char *as_string;     /* tether_forward_spec_to_string () */
} ValidForward;

typedef struct {
  TetherForwardKind kind;
  const char *spec;
  TetherForwardSpecError code;
} InvalidForward;

static void
test_forward_spec (void)
{
  const ValidForward valid[] = {
    { TETHER_FORWARD_KIND_LOCAL, "8080 localhost:80", NULL, 8080, "localhost", 80,
      "8080 localhost:80" },
    { TETHER_FORWARD_KIND_LOCAL, "8080:localhost:80", NULL, 8080, "localhost", 80,
      "8080 localhost:80" },
    { TETHER_FORWARD_KIND_LOCAL, "  127.0.0.1:8080   db.internal:5432 ", "127.0.0.1", 8080,
      "db.internal", 5432, "127.0.0.1:8080 db.internal:5432" },
    { TETHER_FORWARD_KIND_LOCAL, "[::1]:8080 [fe80::1]:22", "::1", 8080, "fe80::1", 22,
      "[::1]:8080 [fe80::1]:22" },
    { TETHER_FORWARD_KIND_LOCAL, "*:8080:web:80", "*", 8080, "web", 80, "*:8080 web:80" },
    { TETHER_FORWARD_KIND_LOCAL, ":8080 web:80", "", 8080, "web", 80, "[]:8080 web:80" },
    { TETHER_FORWARD_KIND_LOCAL, "65535 h:1", NULL, 65535, "h", 1, "65535 h:1" },
    { TETHER_FORWARD_KIND_REMOTE, "9000 localhost:3000", NULL, 9000, "localhost", 3000,
      "9000 localhost:3000" },
    { TETHER_FORWARD_KIND_REMOTE, "0 localhost:3000", NULL, 0, "localhost", 3000,
      "0 localhost:3000" },
    { TETHER_FORWARD_KIND_REMOTE, "9000", NULL, 9000, NULL, 0, "9000" },
    { TETHER_FORWARD_KIND_REMOTE, "0.0.0.0:9000", "0.0.0.0", 9000, NULL, 0, "0.0.0.0:9000" },
    { TETHER_FORWARD_KIND_DYNAMIC, "1080", NULL, 1080, NULL, 0, "1080" },
    { TETHER_FORWARD_KIND_DYNAMIC, "localhost:1080", "localhost", 1080, NULL, 0,
      "localhost:1080" },
    { TETHER_FORWARD_KIND_DYNAMIC, "[::1]:1080", "::1", 1080, NULL, 0, "[::1]:1080" },
  };
  const InvalidForward invalid[] = {
    { TETHER_FORWARD_KIND_LOCAL, "", TETHER_FORWARD_SPEC_ERROR_SYNTAX },
    { TETHER_FORWARD_KIND_LOCAL, "   ", TETHER_FORWARD_SPEC_ERROR_SYNTAX },
    { TETHER_FORWARD_KIND_LOCAL, "8080", TETHER_FORWARD_SPEC_ERROR_NO_DESTINATION },
    { TETHER_FORWARD_KIND_LOCAL, "localhost:8080", TETHER_FORWARD_SPEC_ERROR_NO_DESTINATION },
    { TETHER_FORWARD_KIND_LOCAL, "8080 nowhere", TETHER_FORWARD_SPEC_ERROR_SYNTAX },
    { TETHER_FORWARD_KIND_LOCAL, "8080 localhost:80 extra", TETHER_FORWARD_SPEC_ERROR_SYNTAX },
    { TETHER_FORWARD_KIND_LOCAL, "a:b:c:d:e", TETHER_FORWARD_SPEC_ERROR_SYNTAX },
    { TETHER_FORWARD_KIND_LOCAL, "0 localhost:80", TETHER_FORWARD_SPEC_ERROR_PORT },
    { TETHER_FORWARD_KIND_LOCAL, "65536 localhost:80", TETHER_FORWARD_SPEC_ERROR_PORT },
    { TETHER_FORWARD_KIND_LOCAL, "8080 localhost:0", TETHER_FORWARD_SPEC_ERROR_PORT },
    { TETHER_FORWARD_KIND_LOCAL, "-1 localhost:80", TETHER_FORWARD_SPEC_ERROR_PORT },
    { TETHER_FORWARD_KIND_LOCAL, "http localhost:80", TETHER_FORWARD_SPEC_ERROR_PORT },
    { TETHER_FORWARD_KIND_LOCAL, "8080 :80", TETHER_FORWARD_SPEC_ERROR_SYNTAX },
    { TETHER_FORWARD_KIND_LOCAL, "[::1:8080 h:80", TETHER_FORWARD_SPEC_ERROR_SYNTAX },
    { TETHER_FORWARD_KIND_LOCAL, "[::1]8080 h:80", TETHER_FORWARD_SPEC_ERROR_SYNTAX },
    { TETHER_FORWARD_KIND_LOCAL, "/tmp/l.sock localhost:80",
      TETHER_FORWARD_SPEC_ERROR_UNIX_SOCKET },
    { TETHER_FORWARD_KIND_LOCAL, "8080 /run/app.sock", TETHER_FORWARD_SPEC_ERROR_UNIX_SOCKET },
    { TETHER_FORWARD_KIND_REMOTE, "9000 localhost", TETHER_FORWARD_SPEC_ERROR_SYNTAX },
    { TETHER_FORWARD_KIND_REMOTE, "70000", TETHER_FORWARD_SPEC_ERROR_PORT },
    { TETHER_FORWARD_KIND_DYNAMIC, "1080 localhost:80", TETHER_FORWARD_SPEC_ERROR_SYNTAX },
    { TETHER_FORWARD_KIND_DYNAMIC, "a:b:c", TETHER_FORWARD_SPEC_ERROR_SYNTAX },
    { TETHER_FORWARD_KIND_DYNAMIC, "0", TETHER_FORWARD_SPEC_ERROR_PORT },
    { TETHER_FORWARD_KIND_DYNAMIC, "/tmp/socks", TETHER_FORWARD_SPEC_ERROR_UNIX_SOCKET },
  };
  TetherForwardKind kind;

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++) {
    const ValidForward *v = &valid[i];
    g_autoptr(GError) error = NULL;
    g_autoptr(TetherForwardSpec) spec = tether_forward_spec_parse (v->kind, v->spec, &error);
    g_autoptr(TetherForwardSpec) copy = NULL;
    g_autoptr(TetherForwardSpec) again = NULL;
    g_autofree char *text = NULL;

    g_test_message ("valid: %s", v->spec);
    g_assert_no_error (error);
    g_assert_nonnull (spec);
    g_assert_cmpint (tether_forward_spec_get_kind (spec), ==, v->kind);
    g_assert_cmpstr (tether_forward_spec_get_bind_address (spec), ==, v->bind_address);
    g_assert_cmpuint (tether_forward_spec_get_bind_port (spec), ==, v->bind_port);
    g_assert_cmpstr (tether_forward_spec_get_host (spec), ==, v->host);
    g_assert_cmpuint (tether_forward_spec_get_host_port (spec), ==, v->host_port);
    text = tether_forward_spec_to_string (spec);
    g_assert_cmpstr (text, ==, v->as_string);
    /* What it writes reads back as the same forward. */
    again = tether_forward_spec_parse (v->kind, text, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (tether_forward_spec_get_host (again), ==, v->host);
    g_assert_cmpuint (tether_forward_spec_get_bind_port (again), ==, v->bind_port);
    copy = tether_forward_spec_copy (spec);
    g_assert_cmpstr (tether_forward_spec_get_bind_address (copy), ==, v->bind_address);
  }

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++) {
    const InvalidForward *v = &invalid[i];
    g_autoptr(GError) error = NULL;
    g_autoptr(TetherForwardSpec) spec = tether_forward_spec_parse (v->kind, v->spec, &error);

    g_test_message ("invalid: “%s”: %s", v->spec, error ? error->message : "(accepted)");
    g_assert_null (spec);
    g_assert_error (error, TETHER_FORWARD_SPEC_ERROR, (gint) v->code);
    /* The message names what the user wrote. */
    g_assert_nonnull (strstr (error->message, v->spec));
  }

  g_assert_true (tether_forward_kind_from_keyword ("remoteforward", &kind));
  g_assert_cmpint (kind, ==, TETHER_FORWARD_KIND_REMOTE);
  g_assert_false (tether_forward_kind_from_keyword ("ForwardAgent", &kind));
  g_assert_cmpstr (tether_forward_kind_to_keyword (TETHER_FORWARD_KIND_DYNAMIC), ==,
                   "DynamicForward");
}

/* ssh_config still reads what ssh reads (Unix sockets), spelt as `ssh -G` prints it. */
static void
test_forward_spec_in_config (void)
{
  g_autoptr(TetherSshConfig) cfg = parse_ok (
    "Host f\n"
    "  LocalForward [::1]:8080 db:5432\n"
    "  LocalForward /tmp/l.sock /run/r.sock\n"
    "  RemoteForward 9000\n"
    "  DynamicForward *:1080\n");
  g_auto(GStrv) local = tether_ssh_config_resolve_values (cfg, "f", "LocalForward", NULL);
  g_auto(GStrv) remote = tether_ssh_config_resolve_values (cfg, "f", "RemoteForward", NULL);
  g_auto(GStrv) dynamic = tether_ssh_config_resolve_values (cfg, "f", "DynamicForward", NULL);

  assert_strv ((const char * const *) local,
               (const char *[]) { "[::1]:8080 [db]:5432", "/tmp/l.sock /run/r.sock", NULL });
  assert_strv ((const char * const *) remote, (const char *[]) { "9000", NULL });
  assert_strv ((const char * const *) dynamic, (const char *[]) { "[*]:1080", NULL });
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = test_ssh_config_init (&argc, &argv);
  int status;

  g_test_add_func ("/tether/ssh-config/keywords", test_keywords);
  g_test_add_func ("/tether/ssh-config/defaults", test_defaults);
  g_test_add_func ("/tether/ssh-config/quoting", test_quoting);
  g_test_add_func ("/tether/ssh-config/separators", test_separators);
  g_test_add_func ("/tether/ssh-config/host-negation", test_host_negation);
  g_test_add_func ("/tether/ssh-config/wildcards", test_wildcards);
  g_test_add_func ("/tether/ssh-config/match-host", test_match_host);
  g_test_add_func ("/tether/ssh-config/match-user", test_match_user);
  g_test_add_func ("/tether/ssh-config/match-all", test_match_all);
  g_test_add_func ("/tether/ssh-config/match-exec-final", test_match_exec_final);
  g_test_add_func ("/tether/ssh-config/include-glob", test_include_glob);
  g_test_add_func ("/tether/ssh-config/include-loop", test_include_loop);
  g_test_add_func ("/tether/ssh-config/include-depth", test_include_depth);
  g_test_add_func ("/tether/ssh-config/include-not-followed-from-data",
                   test_include_not_followed_from_data);
  g_test_add_func ("/tether/ssh-config/bad-lines", test_bad_lines);
  g_test_add_func ("/tether/ssh-config/binary-input", test_binary_input);
  g_test_add_func ("/tether/ssh-config/lenient", test_lenient);
  g_test_add_func ("/tether/ssh-config/percent-expansion", test_percent_expansion);
  g_test_add_func ("/tether/ssh-config/first-value-wins", test_first_value_wins);
  g_test_add_func ("/tether/ssh-config/unknown-keyword", test_unknown_keyword);
  g_test_add_func ("/tether/ssh-config/tether-metadata", test_tether_metadata);
  g_test_add_func ("/tether/ssh-config/hosts-and-blocks", test_hosts_and_blocks);
  g_test_add_func ("/tether/ssh-config/include-not-regular", test_include_not_regular);
  g_test_add_func ("/tether/ssh-config/file-size-cap", test_file_size_cap);
  g_test_add_func ("/tether/ssh-config/include-skips-folders", test_include_skips_folders);
  g_test_add_func ("/tether/ssh-config/comment-encoding", test_comment_encoding);
  g_test_add_func ("/tether/ssh-config/store-reports-config-errors",
                   test_store_reports_config_errors);
  g_test_add_func ("/tether/ssh-config/match-exec-async", test_match_exec_async);
  g_test_add_func ("/tether/ssh-config/forward-spec", test_forward_spec);
  g_test_add_func ("/tether/ssh-config/forward-spec-in-config", test_forward_spec_in_config);

  status = g_test_run ();
  remove_tree (home);
  return status;
}
