/* tether-host-store-write.c: a host as hosts.conf lines, and the checks before a write.
 *
 * An edit regenerates only the block of the edited host, keeping the lines
 * Tether does not model (unknown keywords, metadata, comments).
 */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "tether-error.h"
#include "tether-file-util.h"
#include "tether-host-store.h"
#include "tether-host-store-private.h"
#include "tether-ssh-config-private.h"

/* ------------------------------------------------------------------------ */
/* Writing                                                                   */

/* What goes between a keyword and VALUE, written as it is: a value that
 * starts with = needs a separator that has its own =. */
static const char *
raw_separator (const char *value)
{
  return value[0] == '=' ? " = " : " ";
}

/* Whether WORD reads back as itself unquoted. A leading = would be read as
 * the separator, a leading # as a comment; control characters (a form feed)
 * may be trimmed from the end of a line. */
static gboolean
word_is_plain (const char *word)
{
  if (*word == '\0' || word[0] == '#' || word[0] == '=')
    return FALSE;
  for (const char *p = word; *p != '\0'; p++)
    if (strchr (" \t\"'\\", *p) != NULL || g_ascii_iscntrl (*p))
      return FALSE;
  return TRUE;
}

/* Appends WORD so that ssh_config reads it back as one word. */
void
append_word (GString    *out,
             const char *word)
{
  if (word_is_plain (word)) {
    g_string_append (out, word);
    return;
  }
  g_string_append_c (out, '"');
  for (const char *p = word; *p != '\0'; p++) {
    if (*p == '"' || *p == '\\')
      g_string_append_c (out, '\\');
    g_string_append_c (out, *p);
  }
  g_string_append_c (out, '"');
}

static void
append_option (GString    *out,
               const char *keyword,
               const char *word)
{
  g_string_append_printf (out, BLOCK_INDENT "%s ", keyword);
  append_word (out, word);
  g_string_append_c (out, '\n');
}

/* Options written as a whole line: forwards, ProxyCommand, ProxyJump. */
static void
append_raw_option (GString    *out,
                   const char *keyword,
                   const char *value)
{
  g_string_append_printf (out, BLOCK_INDENT "%s%s%s\n", keyword, raw_separator (value), value);
}

static gboolean
block_has (TetherSshConfigBlock *block,
           const char           *name)
{
  GPtrArray *options;

  if (block == NULL)
    return FALSE;
  options = tether_ssh_config_block_get_options (block);
  for (guint i = 0; i < options->len; i++)
    if (g_ascii_strcasecmp (tether_ssh_config_option_get_keyword (g_ptr_array_index (options, i)),
                            name) == 0)
      return TRUE;
  return FALSE;
}

/* Where the lines at the end of a chunk that are not part of its block
 * start: blank lines and comments, which usually separate it from the next.
 */
static const char *
chunk_trailer (const char *text)
{
  const char *trailer = text;
  const char *p = text;

  while (*p != '\0') {
    const char *nl = strchr (p, '\n');
    const char *end = nl ? nl : p + strlen (p);

    if (!is_blank (p, end - p) && !is_plain_comment (p, end - p))
      trailer = nl ? nl + 1 : end;
    p = nl ? nl + 1 : end;
  }
  return trailer;
}

/* The length of the comments above the Host line of a chunk. */
static gsize
chunk_leader_length (const char *text)
{
  const char *p = text;

  while (*p != '\0') {
    const char *nl = strchr (p, '\n');
    const char *end = nl ? nl : p + strlen (p);

    if (!is_blank (p, end - p) && !is_plain_comment (p, end - p))
      break;
    p = nl ? nl + 1 : end;
  }
  return p - text;
}

/* Whether KEY is a #@tether key a TetherHost holds. */
static gboolean
meta_is_modelled (const char *key)
{
  for (guint m = 0; m < tether_ssh_n_meta_keys; m++) {
    if (strcmp (tether_ssh_meta_keys[m].key, key) == 0)
      return TRUE;
  }
  return FALSE;
}

/* The lines of HOST's property for INFO. A no or 0 is written for a KW_FLAG_KEEP_UNSET keyword
 * only when the block said so: it then beats a `Host *` further down, and dropping it would
 * change what ssh does. */
static void
append_keyword (GString              *out,
                TetherHost           *host,
                const KeywordInfo    *info,
                TetherSshConfigBlock *old)
{
  g_auto(GValue) value = G_VALUE_INIT;
  gboolean keep = (info->flags & KW_FLAG_KEEP_UNSET) && block_has (old, info->name);
  const char * const *strv;
  const char *text;

  g_object_get_property (G_OBJECT (host), info->property, &value);
  if (info->flags & KW_FLAG_REPEATS) {
    for (strv = g_value_get_boxed (&value); strv != NULL && *strv != NULL; strv++) {
      if (info->kind == VALUE_FORWARD)
        append_raw_option (out, info->spelling, *strv);
      else
        append_option (out, info->spelling, *strv);
    }
    return;
  }

  switch (info->kind) {
  case VALUE_FLAG:
  case VALUE_AGENT:
    if (g_value_get_boolean (&value) || keep)
      g_string_append_printf (out, BLOCK_INDENT "%s %s\n", info->spelling,
                              g_value_get_boolean (&value) ? "yes" : "no");
    break;
  case VALUE_PORT:
  case VALUE_TIME:
    if (g_value_get_uint (&value) != 0 || keep)
      g_string_append_printf (out, BLOCK_INDENT "%s %u\n", info->spelling,
                              g_value_get_uint (&value));
    break;
  case VALUE_LIST:
    strv = g_value_get_boxed (&value);
    if (strv != NULL && strv[0] != NULL) {
      g_autofree char *joined = g_strjoinv (",", (char **) strv);

      append_option (out, info->spelling, joined);
    }
    break;
  case VALUE_JUMPS:
  case VALUE_LINE:
    if ((text = g_value_get_string (&value)) != NULL)
      append_raw_option (out, info->spelling, text);
    break;
  case VALUE_WORD:
  case VALUE_FILES:
  case VALUE_NONE:
  case VALUE_CANONICAL:
  case VALUE_FORWARD:
  default:
    if ((text = g_value_get_string (&value)) != NULL)
      append_option (out, info->spelling, text);
    break;
  }
}

/* The block of HOST in ssh_config syntax, keeping what OLD (its previous block, or NULL) has
 * that a TetherHost does not hold. */
char *
serialize_host (TetherHost           *host,
                TetherSshConfigBlock *old)
{
  GString *out = g_string_new (NULL);

  g_string_append (out, "Host ");
  append_word (out, tether_host_get_alias (host));
  g_string_append_c (out, '\n');

  for (guint m = 0; m < tether_ssh_n_meta_keys; m++) {
    g_autofree char *value = _tether_ssh_meta_format (host, &tether_ssh_meta_keys[m]);

    if (value != NULL)
      g_string_append_printf (out, BLOCK_INDENT TETHER_META_PREFIX " %s=%s\n",
                              tether_ssh_meta_keys[m].key, value);
  }
  if (old != NULL) {
    const char * const *keys = tether_ssh_config_block_get_metadata_keys (old);

    for (guint i = 0; keys[i] != NULL; i++) {
      if (!meta_is_modelled (keys[i]))
        g_string_append_printf (out, BLOCK_INDENT TETHER_META_PREFIX " %s=%s\n", keys[i],
                                tether_ssh_config_block_get_metadata (old, keys[i]));
    }
  }

  for (guint k = 0; k < N_KEYWORDS; k++) {
    if (tether_ssh_keywords[k].property != NULL)
      append_keyword (out, host, &tether_ssh_keywords[k], old);
  }

  for (guint i = 0; old != NULL && i < old->options->len; i++) {
    TetherSshConfigOption *opt = g_ptr_array_index (old->options, i);

    /* A line without a keyword (`= value`) keeps its `=`: without it the value would be read
     * back as the keyword, or as a #@tether line. */
    if (tether_ssh_keywords[opt->kw].property == NULL)
      g_string_append_printf (out, BLOCK_INDENT "%s%s%s\n", opt->keyword,
                              *opt->keyword == '\0' ? "= " : raw_separator (opt->value),
                              opt->value);
  }
  return g_string_free (out, FALSE);
}

/* Refuses values that would break the file: ssh_config has no escape for a
 * line break. */
static gboolean
check_value (const char  *name,
             const char  *value,
             GError     **error)
{
  if (value == NULL || strpbrk (value, "\r\n") == NULL)
    return TRUE;
  g_set_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG,
               _("The %s cannot contain a line break."), name);
  return FALSE;
}

/* Whether HOST can be written as it is: a name and values that read back. */
static gboolean
check_host_values (TetherHost  *host,
                   GError     **error)
{
  const char *alias = tether_host_get_alias (host);
  g_autofree GParamSpec **pspecs = NULL;
  guint n;

  if (alias == NULL || *alias == '\0' || strpbrk (alias, " \t\r\n\"'#=,\\") != NULL ||
      !alias_is_concrete (alias)) {
    g_set_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG,
                 _("“%s” cannot name a host: use letters, digits, dots and dashes, "
                   "without spaces or wildcards."), alias ? alias : "");
    return FALSE;
  }

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (host), &n);
  for (guint i = 0; i < n; i++) {
    g_auto(GValue) value = G_VALUE_INIT;

    g_value_init (&value, pspecs[i]->value_type);
    g_object_get_property (G_OBJECT (host), pspecs[i]->name, &value);
    if (pspecs[i]->value_type == G_TYPE_STRING &&
        !check_value (pspecs[i]->name, g_value_get_string (&value), error))
      return FALSE;
    if (pspecs[i]->value_type == G_TYPE_STRV) {
      const char * const *strv = g_value_get_boxed (&value);

      for (; strv != NULL && *strv != NULL; strv++)
        if (!check_value (pspecs[i]->name, *strv, error))
          return FALSE;
    }
  }
  return TRUE;
}

gboolean
check_host (TetherHostStore  *self,
            TetherHost       *host,
            TetherHost       *replacing,
            GError          **error)
{
  const char *alias = tether_host_get_alias (host);

  if (!check_host_values (host, error))
    return FALSE;
  for (guint i = 0; i < self->chunks->len; i++) {
    Chunk *chunk = g_ptr_array_index (self->chunks, i);

    if (chunk->host != NULL && chunk->host != replacing &&
        strcmp (tether_host_get_alias (chunk->host), alias) == 0) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("A saved host is already called “%s”."), alias);
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
refuse_read_only (TetherHost  *host,
                  GError     **error)
{
  if (tether_host_get_source (host) != TETHER_HOST_SOURCE_SSH_CONFIG)
    return FALSE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY,
               _("“%s” is defined in ~/.ssh/config, which Tether does not change."),
               tether_host_get_alias (host));
  return TRUE;
}

/* Whether the hosts file may be changed now; never when it is broken. The
 * file itself is checked on the worker (see write_thread ()). */
gboolean
check_writable (TetherHostStore  *self,
                GError          **error)
{
  g_autofree char *shown = NULL;

  if (self->hosts_path == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 _("This host list has no file to save hosts to."));
    return FALSE;
  }
  shown = display_path (self->hosts_path);
  if (!self->loaded) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                 _("%s has not been read yet; try again in a moment."), shown);
    return FALSE;
  }
  if (self->load_error != NULL) {
    g_set_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG,
                 _("Tether will not change %s while it has an error (%s). "
                   "Fix the file and Tether will read it again."),
                 shown, self->load_error->message);
    return FALSE;
  }
  return TRUE;
}

/* Joins CHUNKS (char *) into the text of a hosts file. */
char *
join_texts (GPtrArray *texts)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < texts->len; i++) {
    const char *text = g_ptr_array_index (texts, i);

    if (*text == '\0')
      continue;
    if (out->len > 0 && out->str[out->len - 1] != '\n')
      g_string_append_c (out, '\n');
    g_string_append (out, text);
  }
  return g_string_free (out, FALSE);
}

GPtrArray *
chunk_texts (TetherHostStore *self)
{
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < self->chunks->len; i++)
    g_ptr_array_add (texts, g_strdup (((Chunk *) g_ptr_array_index (self->chunks, i))->text));
  return texts;
}

/* A new chunk for a block, with a blank line before it when the file does
 * not end with one. */
char *
new_chunk_text (GPtrArray  *texts,
                guint       before,
                const char *block_text)
{
  const char *previous = NULL;

  for (guint i = before; i > 0; i--)
    if (*(const char *) g_ptr_array_index (texts, i - 1) != '\0') {
      previous = g_ptr_array_index (texts, i - 1);
      break;
    }
  if (previous == NULL || g_str_has_suffix (previous, "\n\n") ||
      is_blank (previous, strlen (previous)))
    return g_strdup (block_text);
  return g_strconcat ("\n", block_text, NULL);
}

gint
find_chunk (TetherHostStore *self,
            const char      *id)
{
  for (guint i = 0; id != NULL && i < self->chunks->len; i++) {
    Chunk *chunk = g_ptr_array_index (self->chunks, i);

    if (chunk->host != NULL && g_strcmp0 (tether_host_get_id (chunk->host), id) == 0)
      return (gint) i;
  }
  return -1;
}

gboolean
not_saved (TetherHost  *host,
           GError     **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               _("“%s” is not a saved host."), tether_host_get_display_name (host));
  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* The rewrite, for tests and the fuzzer                                     */

/* Chunks (TetherHostsChunk) of TEXT, which CONFIG parsed. */
GPtrArray *
_tether_hosts_chunks_new (const char      *text,
                          TetherSshConfig *config)
{
  return build_chunks (text, config);
}

/* CHUNK's text with its block written from HOST, as an update writes it. */
char *
_tether_hosts_rewrite_chunk (const TetherHostsChunk *chunk,
                             TetherHost             *host)
{
  g_autofree char *block = serialize_host (host, chunk->block);
  g_autofree char *leader = g_strndup (chunk->text, chunk_leader_length (chunk->text));

  return g_strconcat (leader, block, chunk_trailer (chunk->text), NULL);
}

/* The block an add writes for HOST. */
char *
_tether_hosts_new_block (TetherHost *host)
{
  return serialize_host (host, NULL);
}

char *
_tether_hosts_join (GPtrArray *texts)
{
  return join_texts (texts);
}

/* Whether the store would write HOST (add and update check this first). */
gboolean
_tether_hosts_check_host (TetherHost  *host,
                          GError     **error)
{
  return check_host_values (host, error);
}

gboolean
_tether_hosts_host_equal (TetherHost *a,
                          TetherHost *b)
{
  return host_equal (a, b);
}
