/* tether-ssh-command.c: the OpenSSH command line that reaches a host, for "Copy ssh
 * Command": quoted for a shell, and as short as ssh's own configuration allows. */
#include "config.h"

#include <string.h>

#include "tether-host-list.h"

/* Characters that need no quoting in a shell word. */
#define SHELL_SAFE_CHARS \
  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-"

static gboolean
is_shell_safe (const char *word)
{
  return *word != '\0' && word[strspn (word, SHELL_SAFE_CHARS)] == '\0';
}

static void
append_word (GString    *command,
             const char *word)
{
  g_string_append_c (command, ' ');
  if (is_shell_safe (word)) {
    g_string_append (command, word);
  } else {
    g_autofree char *quoted = g_shell_quote (word);

    g_string_append (command, quoted);
  }
}

/**
 * tether_host_dup_ssh_command:
 * @host: a host
 *
 * Returns: (transfer full): an OpenSSH command line that reaches @host, quoted for a shell
 */
char *
tether_host_dup_ssh_command (TetherHost *host)
{
  GString *command = g_string_new ("ssh");
  const char * const *identity_files;
  const char *hostname;
  const char *user;
  const char *jump;
  guint port;

  g_return_val_if_fail (TETHER_IS_HOST (host), NULL);

  /* OpenSSH reads ~/.ssh/config itself: its own name says it all. */
  if (tether_host_get_source (host) == TETHER_HOST_SOURCE_SSH_CONFIG &&
      tether_host_get_alias (host) != NULL) {
    append_word (command, tether_host_get_alias (host));
    return g_string_free (command, FALSE);
  }

  port = tether_host_get_port (host);
  if (port != 0 && port != TETHER_DEFAULT_PORT)
    g_string_append_printf (command, " -p %u", port);

  identity_files = tether_host_get_identity_files (host);
  for (guint i = 0; identity_files != NULL && identity_files[i] != NULL; i++) {
    g_string_append (command, " -i");
    append_word (command, identity_files[i]);
  }

  jump = tether_host_get_proxy_jump (host);
  if (jump != NULL && *jump != '\0') {
    g_string_append (command, " -J");
    append_word (command, jump);
  }

  hostname = tether_host_get_hostname (host);
  if (hostname == NULL)
    hostname = tether_host_get_alias (host);
  user = tether_host_get_user (host);
  if (user != NULL && *user != '\0') {
    g_autofree char *destination = g_strdup_printf ("%s@%s", user, hostname);

    append_word (command, destination);
  } else {
    append_word (command, hostname != NULL ? hostname : "");
  }

  return g_string_free (command, FALSE);
}
