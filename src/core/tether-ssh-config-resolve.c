/* tether-ssh-config-resolve.c: a host resolved from parsed ssh_config, as `ssh -G` does.
 *
 * Resolving replays the blocks that can apply to a host (see the index in
 * tether-ssh-config.c) with OpenSSH's rules (readconf.c of OpenSSH 9.2): the
 * first value obtained wins, IdentityFile, CertificateFile and the forwards
 * accumulate, `Include`d files keep their includer's Host/Match state, and
 * `Match final`/`canonical` ask for a second pass.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "tether-error.h"
#include "tether-host-private.h"
#include "tether-ssh-config-private.h"

/* The identity files ssh tries when none is configured, as `ssh -G` lists them. */
static const char * const default_identity_files[] = {
  "~/.ssh/id_rsa",
  "~/.ssh/id_ecdsa",
  "~/.ssh/id_ecdsa_sk",
  "~/.ssh/id_ed25519",
  "~/.ssh/id_ed25519_sk",
  "~/.ssh/id_xmss",
  "~/.ssh/id_dsa",
  NULL
};

/* How Tether writes a keyword, for messages. */
#define SPELLING(kw) (tether_ssh_keywords[kw].spelling)

/* ------------------------------------------------------------------------ */
/* Resolving                                                                 */

typedef struct {
  const char *original_host;  /* what the user typed */
  const char *host;           /* what Host lines match: the alias, then the final name */
  char *final_hostname;       /* set for the final pass */
  gboolean final_pass;
  gboolean want_final;
  /* Match exec: runs a command, TRUE for exit status 0; NULL while listing,
   * where such a Match only marks the host as pending. */
  TetherSshConfigExecFunc exec;
  gpointer exec_data;
  gboolean exec_pending;
  GPtrArray *warnings;        /* char *: what went wrong running Match exec */
  GHashTable *first;          /* name -> TetherSshConfigOption, first obtained */
  GHashTable *lists;          /* name -> GPtrArray of char *, accumulated */
  GHashTable *meta;           /* key -> value, first obtained */
} Resolver;

/* The option of KW obtained first, or NULL. */
static TetherSshConfigOption *
first_opt (Resolver *r,
           Keyword   kw)
{
  return g_hash_table_lookup (r->first, tether_ssh_keywords[kw].name);
}

static const char *
first_arg (Resolver *r,
           Keyword   kw)
{
  TetherSshConfigOption *opt = first_opt (r, kw);

  return opt ? opt->args[0] : NULL;
}

/* The values of a repeating KW, accumulated, or NULL. */
static GPtrArray *
list_of (Resolver *r,
         Keyword   kw)
{
  return g_hash_table_lookup (r->lists, tether_ssh_keywords[kw].name);
}

typedef struct {
  char key;
  const char *value;
} Token;

/* OpenSSH's percent_expand () (and dollar_expand () for ${ENV}): %% and the
 * given tokens; an unknown token is an error, as it is fatal for ssh.
 */
static char *
percent_expand (const char   *keyword,
                const char   *written,
                const char   *text,
                const Token  *tokens,
                gboolean      dollar,
                GError      **error)
{
  g_autoptr(GString) out = NULL;

  if (strpbrk (text, dollar ? "%$" : "%") == NULL)
    return g_strdup (text);
  out = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; p++) {
    if (dollar && p[0] == '$' && p[1] == '{') {
      const char *close = strchr (p + 2, '}');
      g_autofree char *name = NULL;
      const char *value;

      if (close == NULL) {
        g_set_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG,
                     _("%s “%s” has a “${” without “}”."), keyword, written);
        return NULL;
      }
      name = g_strndup (p + 2, close - p - 2);
      value = g_getenv (name);
      if (value == NULL) {
        g_set_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG,
                     _("%s “%s” uses the environment variable %s, which is not set."),
                     keyword, written, name);
        return NULL;
      }
      g_string_append (out, value);
      p = close;
      continue;
    }
    if (*p != '%') {
      g_string_append_c (out, *p);
      continue;
    }
    p++;
    if (*p == '%') {
      g_string_append_c (out, '%');
      continue;
    }
    for (guint i = 0; tokens[i].key != 0; i++)
      if (tokens[i].key == *p) {
        g_string_append (out, tokens[i].value);
        goto next;
      }
    if (*p == '\0')
      g_set_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG,
                   _("%s “%s” ends with a lone “%%”."), keyword, written);
    else
      g_set_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG,
                   _("%s “%s” uses “%%%c”, which means nothing there."), keyword, written, *p);
    return NULL;
  next:
    ;
  }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The `%` tokens of a connection, as ssh computes them for Match exec and for files. */
typedef struct {
  char *port;
  char *uid;
  char *short_host;
  char *conn_hash;
  Token tokens[13];
} HostTokens;

/* JUMP: the last ProxyJump host for %j (files), or NULL where ssh has no %j (Match exec).
 * HASH: compute %C, ssh_connection_hash (): SHA-1 of %l%h%p%r%j. */
static void
host_tokens_init (HostTokens *t,
                  const char *alias,
                  const char *host,
                  int         port,
                  const char *user,
                  const char *key_alias,
                  const char *jump,
                  gboolean    hash)
{
  guint n = 0;

  t->port = g_strdup_printf ("%d", port);
  t->uid = g_strdup_printf ("%u", (guint) getuid ());
  t->short_host = g_strdup (g_get_host_name ());
  t->short_host[strcspn (t->short_host, ".")] = '\0';
  if (hash) {
    g_autofree char *input = g_strconcat (g_get_host_name (), host, t->port, user, jump, NULL);

    t->conn_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA1, input, -1);
  } else {
    t->conn_hash = g_strdup ("");
  }
  t->tokens[n++] = (Token) { 'C', t->conn_hash };
  t->tokens[n++] = (Token) { 'L', t->short_host };
  t->tokens[n++] = (Token) { 'd', g_get_home_dir () };
  t->tokens[n++] = (Token) { 'h', host };
  t->tokens[n++] = (Token) { 'i', t->uid };
  t->tokens[n++] = (Token) { 'k', key_alias };
  t->tokens[n++] = (Token) { 'l', g_get_host_name () };
  t->tokens[n++] = (Token) { 'n', alias };
  t->tokens[n++] = (Token) { 'p', t->port };
  t->tokens[n++] = (Token) { 'r', user };
  t->tokens[n++] = (Token) { 'u', g_get_user_name () };
  if (jump != NULL)
    t->tokens[n++] = (Token) { 'j', jump };
  t->tokens[n] = (Token) { 0, NULL };
}

static void
host_tokens_clear (HostTokens *t)
{
  g_free (t->port);
  g_free (t->uid);
  g_free (t->short_host);
  g_free (t->conn_hash);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HostTokens, host_tokens_clear)

/* HostName with %h expanded, lower case unless an address; else the alias. */
static char *
compute_hostname (Resolver  *r,
                  gboolean   lowercase,
                  GError   **error)
{
  const char *hostname = first_arg (r, KW_HOSTNAME);
  g_autofree char *expanded = NULL;
  Token tokens[] = { { 'h', r->original_host }, { 0, NULL } };

  if (r->final_hostname != NULL)
    return g_strdup (r->final_hostname);
  if (hostname == NULL)
    expanded = g_strdup (r->original_host);
  else {
    expanded = percent_expand (SPELLING (KW_HOSTNAME), hostname, hostname, tokens, FALSE,
                               error);
    if (expanded == NULL)
      return NULL;
  }
  if (lowercase && !g_hostname_is_ip_address (expanded)) {
    char *lower = g_ascii_strdown (expanded, -1);

    g_free (expanded);
    expanded = lower;
  }
  return g_steal_pointer (&expanded);
}

static gboolean
host_block_matches (Resolver             *r,
                    TetherSshConfigBlock *block)
{
  gboolean active = FALSE;

  if (!block->valid)
    return FALSE;
  if (block->literals == NULL) {
    for (guint i = 0; block->patterns[i] != NULL; i++) {
      const char *pattern = block->patterns[i];
      gboolean negated = pattern[0] == '!';

      if (match_pattern (r->host, negated ? pattern + 1 : pattern)) {
        if (negated)
          return FALSE;
        active = TRUE;
      }
    }
    return active;
  }
  /* A long line: any negation that matches wins; then plain names by hash,
   * then wildcards. */
  for (guint i = 0; i < block->others->len; i++) {
    const char *pattern = g_ptr_array_index (block->others, i);

    if (pattern[0] == '!' && match_pattern (r->host, pattern + 1))
      return FALSE;
  }
  if (g_hash_table_contains (block->literals, r->host))
    return TRUE;
  for (guint i = 0; i < block->others->len && !active; i++) {
    const char *pattern = g_ptr_array_index (block->others, i);

    active = pattern[0] != '!' && match_pattern (r->host, pattern);
  }
  return active;
}

/* `Match exec COMMAND`, with the tokens ssh expands in it (match_cfg_line ()
 * of OpenSSH 9.2). Without a runner (listing hosts) the host is marked as
 * pending and the command counts as failed. */
static gboolean
eval_exec (Resolver             *r,
           TetherSshConfigBlock *block,
           const char           *command)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *expanded = NULL;
  g_auto(HostTokens) t = { 0, };
  const char *port = first_arg (r, KW_PORT);
  const char *user = first_arg (r, KW_USER);
  const char *key_alias = first_arg (r, KW_HOST_KEY_ALIAS);

  if (r->exec == NULL) {
    r->exec_pending = TRUE;
    return FALSE;
  }

  host = compute_hostname (r, FALSE, &error);
  if (host != NULL) {
    host_tokens_init (&t, r->original_host, host, port ? atoi (port) : TETHER_DEFAULT_PORT,
                      user ? user : g_get_user_name (), key_alias ? key_alias : host, NULL,
                      TRUE);
    expanded = percent_expand ("Match exec", command, command, t.tokens, FALSE, &error);
  }
  if (expanded == NULL) {
    g_ptr_array_add (r->warnings, g_strdup_printf ("%s:%u: %s", block->filename, block->line,
                                                   error->message));
    return FALSE;
  }
  return r->exec (expanded, r->exec_data, r->warnings);
}

/* OpenSSH's match_cfg_line (); `exec` and `localnetwork` cannot be
 * evaluated without running commands or reading interfaces, so they count
 * as not matching.
 */
static gboolean
match_block_matches (Resolver             *r,
                     TetherSshConfigBlock *block)
{
  g_autofree char *host = NULL;
  const char *user;
  gboolean result = TRUE;

  if (!block->valid)
    return FALSE;

  host = compute_hostname (r, FALSE, NULL);
  if (host == NULL)
    host = g_strdup (first_arg (r, KW_HOSTNAME));
  user = first_arg (r, KW_USER);
  if (user == NULL)
    user = g_get_user_name ();

  for (guint i = 0; i < block->criteria->len; i++) {
    Criterion *c = &g_array_index (block->criteria, Criterion, i);
    gboolean matched = FALSE;

    switch (c->kind) {
    case CRIT_ALL:
      if (result)
        result = !c->negate;
      return result;
    case CRIT_FINAL:
      r->want_final = TRUE;
      matched = r->final_pass;
      break;
    case CRIT_CANONICAL:
      matched = r->final_pass;
      break;
    case CRIT_HOST:
      matched = match_hostname (host, c->arg);
      break;
    case CRIT_ORIGINAL_HOST:
      matched = match_hostname (r->original_host, c->arg);
      break;
    case CRIT_USER:
      matched = match_pattern_list (user, c->arg, FALSE) == 1;
      break;
    case CRIT_LOCAL_USER:
      matched = match_pattern_list (g_get_user_name (), c->arg, FALSE) == 1;
      break;
    case CRIT_EXEC:
      /* As ssh, the command runs only while the line can still match. */
      if (!result)
        continue;
      matched = eval_exec (r, block, c->arg);
      break;
    case CRIT_LOCAL_NETWORK:
    default:
      matched = FALSE;
      break;
    }
    if (matched == c->negate)
      result = FALSE;
  }
  return result;
}

static void
append_unique (Resolver   *r,
               const char *name,
               const char *value)
{
  GPtrArray *list = g_hash_table_lookup (r->lists, name);

  if (list == NULL) {
    list = g_ptr_array_new_with_free_func (g_free);
    g_hash_table_insert (r->lists, (gpointer) name, list);
  }
  for (guint i = 0; i < list->len; i++)
    if (strcmp (g_ptr_array_index (list, i), value) == 0)
      return;
  g_ptr_array_add (list, g_strdup (value));
}

static void
apply_option (Resolver              *r,
              TetherSshConfigOption *opt)
{
  const KeywordInfo *info = &tether_ssh_keywords[opt->kw];
  TetherSshConfigOption *jump;

  if (info->flags & KW_FLAG_REPEATS) {
    append_unique (r, opt->name, info->kind == VALUE_FORWARD ? opt->normalized : opt->args[0]);
    return;
  }
  switch (opt->kw) {
  case KW_HOSTNAME:
    /* The final pass starts with the host name settled. */
    if (r->final_hostname != NULL)
      return;
    break;
  case KW_PROXY_COMMAND:
    /* A ProxyJump to a host stands for a ProxyCommand. */
    jump = first_opt (r, KW_PROXY_JUMP);
    if (jump != NULL && g_ascii_strncasecmp (jump->value, "none", strlen ("none")) != 0)
      return;
    break;
  case KW_PROXY_JUMP:
    if (first_opt (r, KW_PROXY_COMMAND) != NULL)
      return;
    break;
  default:
    break;
  }
  if (!g_hash_table_contains (r->first, opt->name))
    g_hash_table_insert (r->first, opt->name, opt);
}

static void
resolver_clear (Resolver *r)
{
  g_clear_pointer (&r->first, g_hash_table_unref);
  g_clear_pointer (&r->lists, g_hash_table_unref);
  g_clear_pointer (&r->meta, g_hash_table_unref);
  g_clear_pointer (&r->final_hostname, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Resolver, resolver_clear)

static int
compare_guint (gconstpointer a,
               gconstpointer b)
{
  guint x = *(const guint *) a;
  guint y = *(const guint *) b;

  return (x > y) - (x < y);
}

/* Replays the lines that can apply to r->host, in file order, with
 * OpenSSH's rules: a block applies when its Host or Match line matches and
 * the blocks that include it apply (`Include`d files keep their includer's
 * state); a block's metadata and options apply where it does. */
static void
eval_all (TetherSshConfig *self,
          Resolver        *r)
{
  g_autoptr(GArray) todo = g_array_copy (self->any_steps);
  g_autoptr(GHashTable) applies = g_hash_table_new (NULL, NULL);
  GArray *keys = g_hash_table_lookup (self->by_name, r->host);

  if (keys != NULL) {
    for (guint k = 0; k < keys->len; k++) {
      GArray *steps = g_ptr_array_index (self->key_steps, g_array_index (keys, guint, k));

      g_array_append_vals (todo, steps->data, steps->len);
    }
    g_array_sort (todo, compare_guint);
  }
  /* Evaluated even where it cannot match, a `Match final` always asks for it. */
  if (self->wants_final)
    r->want_final = TRUE;

  for (guint t = 0; t < todo->len; t++) {
    Step *step = &g_array_index (self->steps, Step, g_array_index (todo, guint, t));
    Occurrence *occ = &g_array_index (self->occs, Occurrence, step->occ);
    TetherSshConfigBlock *block = occ->block;

    if (step->opt_start == STEP_BLOCK_START) {
      gboolean active = occ->parent == NO_PARENT ||
                        g_hash_table_contains (applies, GUINT_TO_POINTER (occ->parent + 1));

      if (active && block->kind == TETHER_SSH_CONFIG_BLOCK_HOST)
        active = host_block_matches (r, block);
      else if (active && block->kind == TETHER_SSH_CONFIG_BLOCK_MATCH)
        active = match_block_matches (r, block);
      if (!active)
        continue;
      g_hash_table_add (applies, GUINT_TO_POINTER (step->occ + 1));
      for (guint k = 0; k < block->meta_keys->len; k++) {
        const char *key = block->meta_keys->pdata[k];

        if (!g_hash_table_contains (r->meta, key))
          g_hash_table_insert (r->meta, (gpointer) key,
                               g_hash_table_lookup (block->meta, key));
      }
      continue;
    }
    if (!g_hash_table_contains (applies, GUINT_TO_POINTER (step->occ + 1)))
      continue;
    for (guint o = step->opt_start; o < step->opt_end; o++) {
      TetherSshConfigOption *opt = g_ptr_array_index (block->options, o);

      if (opt->valid && opt->kw != KW_INCLUDE)
        apply_option (r, opt);
    }
  }
}

static gboolean
resolve (TetherSshConfig  *self,
         const char       *alias,
         Resolver         *r,
         GError          **error)
{
  const char *canonicalize;

  r->original_host = alias;
  r->host = alias;
  r->first = g_hash_table_new (g_str_hash, g_str_equal);
  r->lists = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                    (GDestroyNotify) g_ptr_array_unref);
  r->meta = g_hash_table_new (g_str_hash, g_str_equal);

  eval_all (self, r);

  /* `Match final`, and host name canonicalisation, make ssh read the
   * configuration again with the host name settled. */
  canonicalize = first_arg (r, KW_CANONICALIZE_HOSTNAME);
  if (r->want_final || (canonicalize != NULL && parse_flag (canonicalize) != 0)) {
    char *final = compute_hostname (r, TRUE, error);

    if (final == NULL)
      return FALSE;
    r->final_hostname = final;
    r->host = final;
    r->final_pass = TRUE;
    eval_all (self, r);
  }
  return TRUE;
}

/* The last hop's host of a ProxyJump, for %j and %C. */
static char *
jump_host (const char *proxy_jump)
{
  const char *hop;
  const char *at;
  g_autofree char *copy = NULL;
  char *p;

  if (proxy_jump == NULL)
    return g_strdup ("");
  hop = strrchr (proxy_jump, ',');
  hop = hop ? hop + 1 : proxy_jump;
  if (g_str_has_prefix (hop, "ssh://"))
    hop += strlen ("ssh://");
  at = strrchr (hop, '@');
  if (at != NULL)
    hop = at + 1;
  copy = g_strdup (hop);
  if (copy[0] == '[' && (p = strchr (copy, ']')) != NULL) {
    *p = '\0';
    return g_strdup (copy + 1);
  }
  copy[strcspn (copy, ":/#" WHITESPACE)] = '\0';
  return g_steal_pointer (&copy);
}

static char **
expand_files (const char         *keyword,
              GPtrArray          *list,
              const char * const *defaults,
              const Token        *tokens,
              GError            **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n = list ? list->len : (defaults ? g_strv_length ((char **) defaults) : 0);

  for (guint i = 0; i < n; i++) {
    const char *file = list ? g_ptr_array_index (list, i) : defaults[i];
    g_autofree char *tilde = NULL;
    g_autofree char *expanded = NULL;

    /* `IdentityFile none` means no key files at all. */
    if (g_ascii_strcasecmp (file, "none") == 0)
      continue;
    tilde = expand_tilde (file);
    expanded = percent_expand (keyword, file, tilde, tokens, TRUE, error);
    if (expanded == NULL)
      return NULL;
    g_strv_builder_add (builder, expanded);
  }
  return g_strv_builder_end (builder);
}

/* The properties that are the values as written, by the keyword table; the label and group
 * of the matching blocks. */
static void
set_plain_properties (TetherHost *host,
                      Resolver   *r)
{
  for (guint k = 0; k < N_KEYWORDS; k++) {
    const KeywordInfo *info = &tether_ssh_keywords[k];
    g_auto(GValue) value = G_VALUE_INIT;

    if (info->property == NULL || (info->flags & KW_FLAG_RESOLVED) != 0)
      continue;
    if (info->flags & KW_FLAG_REPEATS) {
      GPtrArray *list = g_hash_table_lookup (r->lists, info->name);

      if (list != NULL && list->len > 0) {
        g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
        g_auto(GStrv) values = NULL;

        for (guint i = 0; i < list->len; i++)
          g_strv_builder_add (builder, g_ptr_array_index (list, i));
        values = g_strv_builder_end (builder);
        g_object_set (host, info->property, values, NULL);
      }
    } else {
      TetherSshConfigOption *opt = g_hash_table_lookup (r->first, info->name);

      if (opt != NULL && _tether_ssh_keyword_to_value (info, opt->value, opt->args[0], &value))
        g_object_set_property (G_OBJECT (host), info->property, &value);
    }
  }
  for (guint m = 0; m < tether_ssh_n_meta_keys; m++) {
    const MetaInfo *meta = &tether_ssh_meta_keys[m];

    if (meta->flags & META_FLAG_RESOLVED)
      _tether_ssh_meta_apply (host, meta, g_hash_table_lookup (r->meta, meta->key));
  }
}

/* Resolves ALIAS with R's exec runner; R's warnings and exec_pending say
 * what Match exec did. */
static TetherHost *
resolve_host (TetherSshConfig  *self,
              const char       *alias,
              Resolver         *resolver,
              GError          **error)
{
  Resolver r = *resolver;
  g_autoptr(TetherHost) host = NULL;
  g_autofree char *hostname = NULL;
  g_autofree char *jump = NULL;
  g_auto(HostTokens) t = { 0, };
  g_auto(GStrv) identity_files = NULL;
  g_auto(GStrv) certificate_files = NULL;
  g_auto(GStrv) known_hosts = NULL;
  TetherSshConfigOption *opt;
  const char *user;
  const char *key_alias;
  const char *value;
  int port = TETHER_DEFAULT_PORT;

  if (!resolve (self, alias, &r, error)) {
    *resolver = r;
    return NULL;
  }
  *resolver = r;

  hostname = compute_hostname (&r, TRUE, error);
  if (hostname == NULL)
    return NULL;
  if ((value = first_arg (&r, KW_PORT)) != NULL)
    parse_port (value, &port);
  user = first_arg (&r, KW_USER);
  if (user == NULL)
    user = g_get_user_name ();
  key_alias = first_arg (&r, KW_HOST_KEY_ALIAS);
  if (key_alias == NULL)
    key_alias = alias;
  opt = first_opt (&r, KW_PROXY_JUMP);
  jump = jump_host (opt ? opt->value : NULL);

  /* %C is costly enough to compute only for a config that uses it. */
  host_tokens_init (&t, alias, hostname, port, user, key_alias, jump, self->uses_conn_hash);

  {
    const Token command_tokens[] = {
      { 'h', hostname },
      { 'k', key_alias },
      { 'n', alias },
      { 'p', t.port },
      { 'r', user },
      { 0, NULL }
    };
    TetherSshConfigOption *known = first_opt (&r, KW_USER_KNOWN_HOSTS_FILE);
    g_autoptr(GPtrArray) known_list = g_ptr_array_new ();

    identity_files = expand_files (SPELLING (KW_IDENTITY_FILE),
                                   list_of (&r, KW_IDENTITY_FILE),
                                   default_identity_files, t.tokens, error);
    if (identity_files == NULL)
      return NULL;
    certificate_files = expand_files (SPELLING (KW_CERTIFICATE_FILE),
                                      list_of (&r, KW_CERTIFICATE_FILE),
                                      NULL, t.tokens, error);
    if (certificate_files == NULL)
      return NULL;
    if (known != NULL && g_ascii_strcasecmp (known->args[0], "none") != 0) {
      g_ptr_array_add (known_list, known->args[0]);
      known_hosts = expand_files (SPELLING (KW_USER_KNOWN_HOSTS_FILE), known_list, NULL,
                                  t.tokens, error);
      if (known_hosts == NULL)
        return NULL;
    }

    host = tether_host_new (alias);
    opt = first_opt (&r, KW_PROXY_COMMAND);
    if (opt != NULL && g_ascii_strcasecmp (opt->value, "none") != 0) {
      g_autofree char *command = percent_expand (SPELLING (KW_PROXY_COMMAND), opt->value,
                                                 opt->value, command_tokens, FALSE, error);

      if (command == NULL)
        return NULL;
      tether_host_set_proxy_command (host, command);
    }
  }

  tether_host_set_hostname (host, hostname);
  tether_host_set_port (host, port);
  tether_host_set_user (host, user);
  tether_host_set_identity_files (host, (const char * const *) identity_files);
  tether_host_set_certificate_files (host, (const char * const *) certificate_files);
  if (known_hosts != NULL && known_hosts[0] != NULL)
    tether_host_set_known_hosts_file (host, known_hosts[0]);
  set_plain_properties (host, &r);

  return g_steal_pointer (&host);
}

/**
 * tether_ssh_config_resolve:
 * @self: a #TetherSshConfig
 * @alias: the host name as the user types it after `ssh`
 * @error: return location for a #GError
 *
 * Resolves @alias as `ssh -G alias` does, with OpenSSH's defaults: port 22,
 * the local user, the default identity files. `~`, `%`-tokens and `${VAR}`
 * are expanded in IdentityFile, CertificateFile and UserKnownHostsFile as
 * ssh expands them when it connects; ProxyCommand gets `%h`, `%p`, `%r`,
 * `%n`, `%k` and `%%` and is meant for `/bin/sh -c`, which expands its `~`.
 * The label and group come from `#@tether label=` and `group=` lines of the
 * matching blocks; the forwards are spelt as `ssh -G` prints them. `Match exec`
 * commands are not run: they count as failed, and when one could have
 * applied tether_host_has_pending_match_exec () says so (see
 * tether_host_resolve_async ()).
 *
 * Returns: (transfer full): a new host, or %NULL with @error set
 *   (%TETHER_ERROR_CONFIG) when a value cannot be expanded
 */
TetherHost *
tether_ssh_config_resolve (TetherSshConfig  *self,
                           const char       *alias,
                           GError          **error)
{
  g_auto(Resolver) r = { 0, };
  TetherHost *host;

  g_return_val_if_fail (TETHER_IS_SSH_CONFIG (self), NULL);
  g_return_val_if_fail (alias != NULL && *alias != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  host = resolve_host (self, alias, &r, error);
  if (host != NULL && r.exec_pending)
    _tether_host_set_pending_exec (host, G_OBJECT (self), alias);
  return host;
}

TetherHost *
_tether_ssh_config_resolve_with_exec (TetherSshConfig  *self,
                                      const char       *alias,
                                      TetherSshConfigExecFunc exec,
                                      gpointer          exec_data,
                                      GPtrArray        *warnings,
                                      GError          **error)
{
  g_auto(Resolver) r = { 0, };

  g_return_val_if_fail (TETHER_IS_SSH_CONFIG (self), NULL);
  g_return_val_if_fail (exec != NULL, NULL);

  r.exec = exec;
  r.exec_data = exec_data;
  r.warnings = warnings;
  return resolve_host (self, alias, &r, error);
}

/**
 * tether_ssh_config_resolve_values:
 * @self: a #TetherSshConfig
 * @alias: the host name as the user types it after `ssh`
 * @keyword: any ssh_config keyword, in any case
 * @error: return location for a #GError
 *
 * The values of @keyword that apply to @alias, by OpenSSH's rules: one
 * value (the first obtained) for most keywords, every value for
 * IdentityFile, CertificateFile, LocalForward, RemoteForward and
 * DynamicForward. Values are as written, without expansion or defaults;
 * words are unquoted and joined by a space, except ProxyCommand and
 * keywords Tether does not know, which are given verbatim. Forwards are
 * spelt as `ssh -G` prints them: `[bind]:port [host]:port` or `port`.
 *
 * Returns: (transfer full) (array zero-terminated=1): the values, empty
 *   when @keyword is not set for @alias
 */
char **
tether_ssh_config_resolve_values (TetherSshConfig  *self,
                                  const char       *alias,
                                  const char       *keyword,
                                  GError          **error)
{
  g_auto(Resolver) r = { 0, };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *name = NULL;
  TetherSshConfigOption *opt;
  GPtrArray *list;

  g_return_val_if_fail (TETHER_IS_SSH_CONFIG (self), NULL);
  g_return_val_if_fail (alias != NULL && *alias != '\0', NULL);
  g_return_val_if_fail (keyword != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!resolve (self, alias, &r, error))
    return NULL;

  name = g_ascii_strdown (keyword, -1);
  list = g_hash_table_lookup (r.lists, name);
  opt = g_hash_table_lookup (r.first, name);
  if (list != NULL) {
    for (guint i = 0; i < list->len; i++)
      g_strv_builder_add (builder, g_ptr_array_index (list, i));
  } else if (opt != NULL) {
    ValueKind kind = tether_ssh_keywords[opt->kw].kind;

    if (kind == VALUE_LINE || opt->kw == KW_UNKNOWN)
      g_strv_builder_add (builder, opt->value);
    else if (kind == VALUE_JUMPS) {
      g_autofree char *jumps = _tether_ssh_jump_value (opt->value);

      g_strv_builder_add (builder, jumps);
    } else {
      g_autofree char *joined = g_strjoinv (" ", opt->args);

      g_strv_builder_add (builder, joined);
    }
  }
  return g_strv_builder_end (builder);
}
