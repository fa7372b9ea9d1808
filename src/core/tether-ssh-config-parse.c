/* tether-ssh-config-parse.c: ssh_config(5) lines into blocks and options.
 *
 * Values are checked as readconf.c of OpenSSH checks them, by the kind the keyword table
 * (tether-ssh-keywords.c) gives them; lexing is in tether-ssh-config-lex.c and Include in
 * tether-ssh-config-include.c.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "tether-error.h"
#include "tether-forward-spec-private.h"
#include "tether-ssh-config-private.h"

/* ------------------------------------------------------------------------ */
/* Parsing                                                                   */

typedef struct {
  TetherSshConfig *self;
  ConfigFile *file;
  TetherSshConfigBlock *block;  /* the current block */
  GError *error;                /* strict mode: the first error */
} Parser;

/* Reports a bad line of FILE. In strict mode keeps the first error in *ERROR and returns
 * FALSE to stop; in lenient mode collects it and returns TRUE to go on. */
gboolean
report_error_valist (TetherSshConfig  *self,
                     ConfigFile       *file,
                     guint             line,
                     GError          **error,
                     const char       *format,
                     va_list           args)
{
  g_autofree char *message = g_strdup_vprintf (format, args);
  GError *e;

  e = g_error_new (TETHER_ERROR, TETHER_ERROR_CONFIG, "%s:%u: %s", file->display, line, message);
  if (self->lenient) {
    g_ptr_array_add (self->errors, e);
    return TRUE;
  }
  if (error != NULL && *error == NULL)
    *error = e;
  else
    g_error_free (e);
  return FALSE;
}

static gboolean G_GNUC_PRINTF (3, 4)
report (Parser     *p,
        guint       line,
        const char *format,
        ...)
{
  va_list args;
  gboolean go_on;

  va_start (args, format);
  go_on = report_error_valist (p->self, p->file, line, &p->error, format, args);
  va_end (args);
  return go_on;
}

/* Parses the words of a Match line into BLOCK's criteria, as OpenSSH's
 * match_cfg_line () checks them. Returns an error message or NULL.
 */
static char *
parse_match (TetherSshConfigBlock *block,
             const char * const   *args)
{
  static const struct {
    const char *name;
    CriterionKind kind;
    gboolean takes_arg;
  } criteria[] = {
    { "all", CRIT_ALL, FALSE },
    { "canonical", CRIT_CANONICAL, FALSE },
    { "final", CRIT_FINAL, FALSE },
    { "host", CRIT_HOST, TRUE },
    { "originalhost", CRIT_ORIGINAL_HOST, TRUE },
    { "user", CRIT_USER, TRUE },
    { "localuser", CRIT_LOCAL_USER, TRUE },
    { "exec", CRIT_EXEC, TRUE },
    { "localnetwork", CRIT_LOCAL_NETWORK, TRUE },
  };
  guint attributes = 0;
  gboolean seen_all = FALSE;

  for (guint i = 0; args[i] != NULL; i++) {
    Criterion c = { 0, };
    const char *name = args[i];
    guint j;

    c.negate = name[0] == '!';
    if (c.negate)
      name++;
    for (j = 0; j < G_N_ELEMENTS (criteria); j++)
      if (g_ascii_strcasecmp (name, criteria[j].name) == 0)
        break;
    if (j == G_N_ELEMENTS (criteria))
      return g_strdup_printf (_("Match condition “%s” is not one of all, canonical, final, "
                                "exec, host, originalhost, user or localuser."), args[i]);
    c.kind = criteria[j].kind;

    if (c.kind == CRIT_ALL) {
      if (attributes > 1 || args[i + 1] != NULL)
        return g_strdup_printf (_("Match “%s” cannot be combined with other conditions."),
                                args[i]);
      g_array_append_val (block->criteria, c);
      seen_all = TRUE;
      break;
    }
    attributes++;
    if (criteria[j].takes_arg) {
      if (args[i + 1] == NULL || *args[i + 1] == '\0')
        return g_strdup_printf (_("Match condition “%s” needs a value."), args[i]);
      c.arg = g_strdup (args[++i]);
    }
    g_array_append_val (block->criteria, c);
  }

  if (attributes == 0 && !seen_all)
    return g_strdup (_("Match needs a condition such as “host NAME” or “all”."));
  return NULL;
}

/* Checks a forward and fills opt->normalized with the spelling of `ssh -G`. */
static char *
check_forward (TetherSshConfigOption *opt,
               guint                  n_args)
{
  const char * const *args = (const char * const *) opt->args;
  g_autoptr(TetherForwardSpec) spec = NULL;
  TetherForwardKind kind = TETHER_FORWARD_KIND_LOCAL;

  tether_forward_kind_from_keyword (opt->name, &kind);
  if (kind != TETHER_FORWARD_KIND_DYNAMIC && n_args > 2)
    return g_strdup_printf (_("%s takes at most two values."), opt->keyword);
  if (kind == TETHER_FORWARD_KIND_LOCAL && n_args < 2)
    return g_strdup_printf (_("%s “%s” needs a destination, such as 8080 localhost:80."),
                            opt->keyword, args[0]);
  /* Lenient: ssh forwards Unix sockets, so a config may name them. */
  spec = _tether_forward_spec_parse_args (kind, args, TRUE, NULL);
  if (spec == NULL && kind == TETHER_FORWARD_KIND_DYNAMIC)
    return g_strdup_printf (_("%s “%s” is not a port or address:port to listen on."),
                            opt->keyword, args[0]);
  if (spec == NULL)
    return g_strdup_printf (_("%s “%s” is not a forwarding such as 8080 localhost:80."),
                            opt->keyword, opt->value);
  opt->normalized = _tether_forward_spec_to_ssh_g (spec);
  return NULL;
}

/* Checks the value of an option Tether interprets, by the kind its row in the keyword table
 * gives. Returns an error message or NULL. */
static char *
check_option (TetherSshConfigOption *opt)
{
  const KeywordInfo *info = &tether_ssh_keywords[opt->kw];
  const char * const *args = (const char * const *) opt->args;
  guint n_args = g_strv_length (opt->args);
  int port;

  if (opt->kw == KW_UNKNOWN)
    return NULL;

  switch (info->kind) {
  case VALUE_NONE:
  case VALUE_LINE:
    /* The whole rest of the line is the command, as in OpenSSH. */
    return NULL;

  case VALUE_JUMPS: {
    g_auto(GStrv) hops = NULL;
    g_autofree char *jump = _tether_ssh_jump_value (opt->value);

    hops = g_strsplit (jump, ",", -1);
    for (guint i = 0; hops[i] != NULL; i++) {
      if (hops[i][0] == '\0' || strpbrk (hops[i], WHITESPACE) != NULL)
        return g_strdup_printf (_("%s “%s” is not a list of hosts such as "
                                  "user@host:port,host2."), info->spelling, opt->value);
    }
    return NULL;
  }

  case VALUE_FILES:
    if (opt->kw == KW_USER_KNOWN_HOSTS_FILE && n_args > MAX_KNOWN_HOSTS_FILES)
      return g_strdup_printf (_("%s names more than %d files."), info->spelling,
                              MAX_KNOWN_HOSTS_FILES);
    for (guint i = 0; i < n_args; i++) {
      if (*args[i] == '\0')
        return g_strdup_printf (_("%s needs a file name."), info->spelling);
    }
    return NULL;

  case VALUE_FORWARD:
    if (opt->kw != KW_DYNAMIC_FORWARD)
      return check_forward (opt, n_args);
    break;

  case VALUE_WORD:
  case VALUE_FLAG:
  case VALUE_AGENT:
  case VALUE_CANONICAL:
  case VALUE_PORT:
  case VALUE_TIME:
  case VALUE_LIST:
  default:
    break;
  }

  /* The rest take exactly one word. */
  if (n_args > 1)
    return g_strdup_printf (_("%s takes one value, but the line has %u."), opt->keyword, n_args);
  if (*args[0] == '\0')
    return g_strdup_printf (_("%s needs a value."), opt->keyword);

  switch (info->kind) {
  case VALUE_PORT:
    if (!parse_port (args[0], &port))
      return g_strdup_printf (_("%s “%s” is not a number from 1 to 65535."), info->spelling,
                              args[0]);
    return NULL;
  case VALUE_FLAG:
    if (parse_flag (args[0]) < 0)
      return g_strdup_printf (_("%s “%s” is not yes or no."), opt->keyword, args[0]);
    return NULL;
  case VALUE_CANONICAL:
    if (parse_flag (args[0]) < 0 && g_ascii_strcasecmp (args[0], "always") != 0)
      return g_strdup_printf (_("%s “%s” is not yes, no or always."), opt->keyword, args[0]);
    return NULL;
  case VALUE_TIME:
    if (parse_time (args[0]) < 0)
      return g_strdup_printf (_("%s “%s” is not a time such as 30, 5m or 1h."),
                              opt->keyword, args[0]);
    return NULL;
  case VALUE_FORWARD:
    return check_forward (opt, n_args);
  case VALUE_NONE:
  case VALUE_WORD:
  case VALUE_FILES:
  case VALUE_AGENT:
  case VALUE_LIST:
  case VALUE_JUMPS:
  case VALUE_LINE:
  default:
    return NULL;
  }
}

/* `#@tether key=value`: Tether's own words for a block (label, group, colour...). */
static gboolean
parse_metadata (Parser     *p,
                guint       line,
                const char *text)
{
  const char *rest = text + strlen (TETHER_META_PREFIX);
  const char *eq;
  g_autofree char *key = NULL;
  g_autofree char *value = NULL;

  rest += strspn (rest, WHITESPACE);
  eq = strchr (rest, '=');
  if (eq == NULL)
    return report (p, line, _("“%s” lines take the form key=value."), TETHER_META_PREFIX);
  key = g_strstrip (g_strndup (rest, eq - rest));
  value = g_strstrip (g_strdup (eq + 1));
  if (*key == '\0' || strspn (key, "abcdefghijklmnopqrstuvwxyz"
                                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != strlen (key))
    return report (p, line, _("“%s” is not a metadata key: use letters, digits and dashes."),
                   key);

  if (!g_hash_table_contains (p->block->meta, key))
    g_ptr_array_add (p->block->meta_keys, g_strdup (key));
  g_hash_table_replace (p->block->meta, g_steal_pointer (&key), g_steal_pointer (&value));
  return TRUE;
}

/* Parses one line (without its newline). FALSE stops a strict parse. */
static gboolean
parse_line (Parser *p,
            guint   line_no,
            char   *line)
{
  g_autoptr(TetherSshConfigOption) opt = NULL;
  g_autofree char *message = NULL;
  char *s;
  char *keyword_end;
  gsize len;

  len = strlen (line);
  while (len > 0 && strchr (TRAILING_BLANKS, line[len - 1]) != NULL)
    line[--len] = '\0';
  s = line + strspn (line, WHITESPACE);
  if (*s == '\0')
    return TRUE;
  if (*s == '#') {
    if (g_str_has_prefix (s, TETHER_META_PREFIX) &&
        (s[strlen (TETHER_META_PREFIX)] == '\0' ||
         strchr (WHITESPACE, s[strlen (TETHER_META_PREFIX)]) != NULL)) {
      if (!g_utf8_validate (s, -1, NULL))
        return report (p, line_no, _("The line is not valid UTF-8."));
      return parse_metadata (p, line_no, s);
    }
    return TRUE;
  }
  /* ssh never reads a comment: one in another encoding drops from the value. */
  {
    char *comment = find_comment (s);

    if (comment != NULL && !g_utf8_validate (comment, -1, NULL)) {
      *comment = '\0';
      g_strchomp (s);
    }
  }
  if (!g_utf8_validate (s, -1, NULL))
    return report (p, line_no, _("The line is not valid UTF-8."));

  opt = g_new0 (TetherSshConfigOption, 1);
  g_atomic_ref_count_init (&opt->ref_count);
  opt->line = line_no;
  opt->valid = TRUE;

  /* Keyword, then blanks, one optional `=`, blanks, as strdelim () does. */
  keyword_end = s + strcspn (s, WHITESPACE "=");
  opt->keyword = g_strndup (s, keyword_end - s);
  opt->name = g_ascii_strdown (opt->keyword, -1);
  opt->kw = _tether_ssh_keyword_lookup (opt->name)->kw;
  s = keyword_end;
  if (*s == '=')
    s++;
  else {
    s += strspn (s, WHITESPACE);
    if (*s == '=')
      s++;
  }
  s += strspn (s, WHITESPACE);
  opt->value = g_strdup (s);

  if (*s == '\0')
    message = g_strdup_printf (_("%s needs a value."), opt->keyword);
  else if (!split_args (s, &opt->args))
    message = g_strdup_printf (_("%s has a quote that is not closed."), opt->keyword);
  else if (opt->args[0] == NULL && tether_ssh_keywords[opt->kw].kind != VALUE_LINE &&
           opt->kw != KW_UNKNOWN)
    message = g_strdup_printf (_("%s needs a value."), opt->keyword);
  if (opt->args == NULL)
    opt->args = g_new0 (char *, 1);

  if (opt->kw == KW_HOST || opt->kw == KW_MATCH) {
    TetherSshConfigBlock *block;

    block = block_new (opt->kw == KW_HOST ? TETHER_SSH_CONFIG_BLOCK_HOST
                                          : TETHER_SSH_CONFIG_BLOCK_MATCH,
                       p->file->path ? p->file->path : p->file->display, line_no);
    block->patterns = g_strdupv (opt->args);
    g_ptr_array_add (p->file->blocks, block);
    p->block = block;

    if (message == NULL && opt->kw == KW_HOST) {
      for (guint i = 0; opt->args[i] != NULL && message == NULL; i++)
        if (opt->args[i][0] == '\0')
          message = g_strdup (_("Host has an empty pattern."));
    } else if (message == NULL)
      message = parse_match (block, (const char * const *) opt->args);

    if (message != NULL) {
      /* A bad Host or Match line never matches, as in OpenSSH it stops the parse. */
      block->valid = FALSE;
      return report (p, line_no, "%s", message);
    }
    return TRUE;
  }

  if (message == NULL)
    message = check_option (opt);
  if (message != NULL) {
    opt->valid = FALSE;
    g_ptr_array_add (p->block->options, g_steal_pointer (&opt));
    return report (p, line_no, "%s", message);
  }

  g_ptr_array_add (p->block->options, g_steal_pointer (&opt));
  return TRUE;
}

ConfigFile *
parse_buffer (TetherSshConfig  *self,
              const char       *data,
              gsize             length,
              const char       *path,
              const char       *name,
              GError          **error)
{
  g_autoptr(ConfigFile) file = g_new0 (ConfigFile, 1);
  Parser p = { self, file, NULL, NULL };
  const char *pos = data;
  const char *end = data + length;
  guint line_no = 0;

  file->path = g_strdup (path);
  file->display = path ? display_path (path) : g_strdup (name);
  file->blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) tether_ssh_config_block_unref);
  p.block = block_new (TETHER_SSH_CONFIG_BLOCK_GLOBAL, path ? path : name, 0);
  g_ptr_array_add (file->blocks, p.block);

  while (pos < end) {
    const char *nl = memchr (pos, '\n', end - pos);
    const char *line_end = nl ? nl : end;
    g_autofree char *line = NULL;
    gboolean ok;

    line_no++;
    if (memchr (pos, '\0', line_end - pos) != NULL)
      ok = report (&p, line_no, _("The line contains a NUL byte."));
    else {
      line = g_strndup (pos, line_end - pos);
      ok = parse_line (&p, line_no, line);
    }
    if (!ok) {
      g_propagate_error (error, p.error);
      return NULL;
    }
    pos = nl ? nl + 1 : end;
  }

  return g_steal_pointer (&file);
}
