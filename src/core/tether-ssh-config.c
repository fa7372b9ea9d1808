/* tether-ssh-config.c: ssh_config(5) parsed from byte buffers, hosts resolved as `ssh -G` does.
 *
 * Parsing keeps every line of a file as written (blocks, options in order,
 * unknown keywords, `#@tether key=value` metadata), so that the host store can
 * rewrite Tether's own hosts file without losing anything. Resolving a host
 * replays the blocks with OpenSSH's rules (readconf.c of OpenSSH 9.2): the
 * first value obtained wins, IdentityFile, CertificateFile and the forwards
 * accumulate, `Include`d files keep their includer's Host/Match state, and
 * `Match final`/`canonical` ask for a second pass.
 *
 * parse_data () never touches the file system; only load_file () reads files
 * and follows `Include`.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "tether-error.h"
#include "tether-ssh-config-private.h"

/**
 * TetherSshConfig:
 *
 * An ssh_config(5) file, parsed, and hosts resolved from it as `ssh -G` resolves
 * them.
 *
 * [method@Tether.SshConfig.load_file] reads a file and follows its `Include`s;
 * [method@Tether.SshConfig.parse_data] parses a buffer and never touches the file
 * system. Parsing keeps every line as written: the blocks
 * ([struct@Tether.SshConfigBlock]) with their options
 * ([struct@Tether.SshConfigOption]) in order, unknown keywords and `#@tether
 * key=value` metadata, so a file can be rewritten without losing anything.
 * [method@Tether.SshConfig.resolve] replays the blocks with OpenSSH's rules into a
 * [class@Tether.Host]. Malformed lines are errors, or with
 * [property@Tether.SshConfig:lenient] are kept in
 * [method@Tether.SshConfig.get_errors] and skipped. Most applications use a
 * [class@Tether.HostStore], which wraps this.
 *
 * Threading: no locking; parse and resolve on one thread at a time. Parsing does
 * no I/O, so it can run on a worker thread.
 */

G_DEFINE_FINAL_TYPE (TetherSshConfig, tether_ssh_config, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LENIENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ------------------------------------------------------------------------ */
/* Options and blocks                                                        */

G_DEFINE_BOXED_TYPE (TetherSshConfigOption, tether_ssh_config_option,
                     tether_ssh_config_option_ref, tether_ssh_config_option_unref)
G_DEFINE_BOXED_TYPE (TetherSshConfigBlock, tether_ssh_config_block,
                     tether_ssh_config_block_ref, tether_ssh_config_block_unref)

/**
 * tether_ssh_config_option_ref:
 * @self: a #TetherSshConfigOption
 *
 * Takes a reference on @self.
 *
 * Returns: (transfer full): @self
 */
TetherSshConfigOption *
tether_ssh_config_option_ref (TetherSshConfigOption *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * tether_ssh_config_option_unref:
 * @self: (transfer full): a #TetherSshConfigOption
 *
 * Drops a reference on @self, freeing it with the last one.
 */
void
tether_ssh_config_option_unref (TetherSshConfigOption *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->keyword);
  g_free (self->name);
  g_free (self->value);
  g_strfreev (self->args);
  g_free (self->normalized);
  g_clear_pointer (&self->includes, g_ptr_array_unref);
  g_free (self);
}

/**
 * tether_ssh_config_option_get_keyword:
 * @self: a #TetherSshConfigOption
 *
 * Gets the keyword as written (`IdentityFile`, `identityfile`, ...).
 *
 * Returns: the keyword as written (`IdentityFile`, `identityfile`, ...)
 */
const char *
tether_ssh_config_option_get_keyword (TetherSshConfigOption *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->keyword;
}

/**
 * tether_ssh_config_option_get_value:
 * @self: a #TetherSshConfigOption
 *
 * Gets everything after the keyword and its separator, as written.
 *
 * Returns: everything after the keyword and its separator, as written
 *   (quotes and a trailing comment included), so that it can be written back
 */
const char *
tether_ssh_config_option_get_value (TetherSshConfigOption *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->value;
}

/**
 * tether_ssh_config_option_get_args:
 * @self: a #TetherSshConfigOption
 *
 * Gets the value split into words as OpenSSH splits it.
 *
 * Returns: (transfer none) (array zero-terminated=1): the value split into
 *   words as OpenSSH splits it: quotes removed, a comment dropped
 */
const char * const *
tether_ssh_config_option_get_args (TetherSshConfigOption *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char * const *) self->args;
}

/**
 * tether_ssh_config_option_get_line:
 * @self: a #TetherSshConfigOption
 *
 * Gets the line number, from 1.
 *
 * Returns: the line number, from 1
 */
guint
tether_ssh_config_option_get_line (TetherSshConfigOption *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->line;
}

/**
 * tether_ssh_config_option_is_known:
 * @self: a #TetherSshConfigOption
 *
 * Tells whether Tether interprets the keyword of @self.
 *
 * Returns: whether Tether interprets the keyword; other keywords are kept
 *   only to be written back
 */
gboolean
tether_ssh_config_option_is_known (TetherSshConfigOption *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->kw != KW_UNKNOWN;
}

/**
 * tether_ssh_config_option_is_valid:
 * @self: a #TetherSshConfigOption
 *
 * Tells whether @self parsed; a bad line kept by a lenient load is not.
 *
 * Returns: %FALSE for a bad line kept by a lenient load; such lines are
 *   ignored when resolving
 */
gboolean
tether_ssh_config_option_is_valid (TetherSshConfigOption *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->valid;
}

static void
criterion_clear (gpointer data)
{
  Criterion *c = data;

  g_free (c->arg);
}

TetherSshConfigBlock *
block_new (TetherSshConfigBlockKind  kind,
           const char               *filename,
           guint                     line)
{
  TetherSshConfigBlock *self = g_new0 (TetherSshConfigBlock, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->kind = kind;
  self->filename = g_strdup (filename);
  self->line = line;
  self->valid = TRUE;
  self->options = g_ptr_array_new_with_free_func ((GDestroyNotify) tether_ssh_config_option_unref);
  self->criteria = g_array_new (FALSE, TRUE, sizeof (Criterion));
  g_array_set_clear_func (self->criteria, criterion_clear);
  self->meta_keys = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  self->meta = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

/**
 * tether_ssh_config_block_ref:
 * @self: a #TetherSshConfigBlock
 *
 * Takes a reference on @self.
 *
 * Returns: (transfer full): @self
 */
TetherSshConfigBlock *
tether_ssh_config_block_ref (TetherSshConfigBlock *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * tether_ssh_config_block_unref:
 * @self: (transfer full): a #TetherSshConfigBlock
 *
 * Drops a reference on @self, freeing it with the last one.
 */
void
tether_ssh_config_block_unref (TetherSshConfigBlock *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->filename);
  g_strfreev (self->patterns);
  g_ptr_array_unref (self->options);
  g_array_unref (self->criteria);
  g_ptr_array_unref (self->meta_keys);
  g_hash_table_unref (self->meta);
  g_clear_pointer (&self->literals, g_hash_table_unref);
  g_clear_pointer (&self->others, g_ptr_array_unref);
  g_free (self);
}

/**
 * tether_ssh_config_block_get_kind:
 * @self: a #TetherSshConfigBlock
 *
 * Gets whether @self is a `Host` or `Match` block or the start of a file.
 *
 * Returns: whether @self is a `Host` or `Match` block or the start of a file
 */
TetherSshConfigBlockKind
tether_ssh_config_block_get_kind (TetherSshConfigBlock *self)
{
  g_return_val_if_fail (self != NULL, TETHER_SSH_CONFIG_BLOCK_GLOBAL);
  return self->kind;
}

/**
 * tether_ssh_config_block_get_filename:
 * @self: a #TetherSshConfigBlock
 *
 * Gets the file the block is in.
 *
 * Returns: (type filename): the file the block is in: its path when it was
 *   loaded from a file, else the name given to parse_data()
 */
const char *
tether_ssh_config_block_get_filename (TetherSshConfigBlock *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->filename;
}

/**
 * tether_ssh_config_block_get_line:
 * @self: a #TetherSshConfigBlock
 *
 * Gets the line of the `Host` or `Match` keyword, 0 for a global block.
 *
 * Returns: the line of the `Host` or `Match` keyword, 0 for a global block
 */
guint
tether_ssh_config_block_get_line (TetherSshConfigBlock *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->line;
}

/**
 * tether_ssh_config_block_get_patterns:
 * @self: a #TetherSshConfigBlock
 *
 * Gets the `Host` patterns, or the words of a `Match` line.
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the `Host`
 *   patterns (with their `!`), or the words of a `Match` line; %NULL for a
 *   global block
 */
const char * const *
tether_ssh_config_block_get_patterns (TetherSshConfigBlock *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char * const *) self->patterns;
}

/**
 * tether_ssh_config_block_get_options:
 * @self: a #TetherSshConfigBlock
 *
 * Gets the options of the block, in file order.
 *
 * Returns: (transfer none) (element-type TetherSshConfigOption): the
 *   options of the block in file order, `Include` lines and unknown keywords
 *   included
 */
GPtrArray *
tether_ssh_config_block_get_options (TetherSshConfigBlock *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->options;
}

/**
 * tether_ssh_config_block_dup_unknown_options:
 * @self: a #TetherSshConfigBlock
 *
 * Lists the options of the block whose keyword Tether does not interpret.
 *
 * Returns: (transfer container) (element-type TetherSshConfigOption): the
 *   options whose keyword Tether does not interpret, in file order
 */
GPtrArray *
tether_ssh_config_block_dup_unknown_options (TetherSshConfigBlock *self)
{
  GPtrArray *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) tether_ssh_config_option_unref);
  for (guint i = 0; i < self->options->len; i++) {
    TetherSshConfigOption *opt = g_ptr_array_index (self->options, i);

    if (opt->kw == KW_UNKNOWN)
      g_ptr_array_add (out, tether_ssh_config_option_ref (opt));
  }
  return out;
}

/**
 * tether_ssh_config_block_get_metadata:
 * @self: a #TetherSshConfigBlock
 * @key: a key of a `#@tether key=value` line
 *
 * Gets the value of the `#@tether` metadata @key in the block.
 *
 * Returns: (nullable): the value of @key in the block
 */
const char *
tether_ssh_config_block_get_metadata (TetherSshConfigBlock *self,
                                      const char           *key)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  return g_hash_table_lookup (self->meta, key);
}

/**
 * tether_ssh_config_block_get_metadata_keys:
 * @self: a #TetherSshConfigBlock
 *
 * Gets the `#@tether` metadata keys of the block.
 *
 * Returns: (transfer none) (array zero-terminated=1): the metadata keys in
 *   the order they first appear
 */
const char * const *
tether_ssh_config_block_get_metadata_keys (TetherSshConfigBlock *self)
{
  static const char * const empty[] = { NULL };

  g_return_val_if_fail (self != NULL, NULL);
  /* An empty null-terminated GPtrArray may not have allocated its NULL yet. */
  if (self->meta_keys->len == 0)
    return empty;
  return (const char * const *) self->meta_keys->pdata;
}

void
config_file_free (ConfigFile *file)
{
  g_free (file->display);
  g_free (file->path);
  g_ptr_array_unref (file->blocks);
  g_free (file);
}

static void
flatten_blocks (GPtrArray  *out,
                ConfigFile *file)
{
  for (guint b = 0; b < file->blocks->len; b++) {
    TetherSshConfigBlock *block = g_ptr_array_index (file->blocks, b);

    g_ptr_array_add (out, tether_ssh_config_block_ref (block));
    for (guint o = 0; o < block->options->len; o++) {
      TetherSshConfigOption *opt = g_ptr_array_index (block->options, o);

      for (guint i = 0; opt->includes != NULL && i < opt->includes->len; i++)
        flatten_blocks (out, g_ptr_array_index (opt->includes, i));
    }
  }
}

/* ------------------------------------------------------------------------ */
/* The index                                                                 */

/* A Host line names a few hosts; past this many patterns a hash beats a scan
 * (and a line of 20,000 stays linear), below it the hash is only cost. */
#define BLOCK_HASH_MIN_PATTERNS 8

static gboolean
is_plain_name (const char *pattern)
{
  return pattern[0] != '!' && strpbrk (pattern, "*?") == NULL;
}

static void
block_classify (TetherSshConfigBlock *block)
{
  guint n_names = 0;
  guint n_patterns;

  if (block->reach != REACH_UNKNOWN)
    return;
  if (!block->valid) {
    block->reach = REACH_NONE;
    return;
  }
  if (block->kind != TETHER_SSH_CONFIG_BLOCK_HOST) {
    block->reach = REACH_ANY;
    return;
  }
  block->reach = REACH_NAMED;
  for (n_patterns = 0; block->patterns[n_patterns] != NULL; n_patterns++) {
    const char *pattern = block->patterns[n_patterns];

    if (is_plain_name (pattern))
      n_names++;
    else if (pattern[0] != '!')
      block->reach = REACH_ANY;
  }
  if (block->reach == REACH_NAMED && n_names == 0)
    block->reach = REACH_NONE;
  if (n_patterns < BLOCK_HASH_MIN_PATTERNS)
    return;

  block->literals = g_hash_table_new (g_str_hash, g_str_equal);
  block->others = g_ptr_array_new ();
  for (guint i = 0; i < n_patterns; i++) {
    const char *pattern = block->patterns[i];

    if (is_plain_name (pattern))
      g_hash_table_add (block->literals, (gpointer) pattern);
    else
      g_ptr_array_add (block->others, (gpointer) pattern);
  }
}

/* Files KEY under NAME in the index. */
static void
index_add_name (TetherSshConfig *self,
                const char      *name,
                guint            key)
{
  GArray *keys = g_hash_table_lookup (self->by_name, name);

  if (keys == NULL) {
    keys = g_array_new (FALSE, FALSE, sizeof (guint));
    g_hash_table_insert (self->by_name, (gpointer) name, keys);
  }
  g_array_append_val (keys, key);
}

static void
index_add_step (TetherSshConfig *self,
                guint            key,
                guint            occ,
                guint            opt_start,
                guint            opt_end)
{
  Step step = { occ, opt_start, opt_end };
  guint index = self->steps->len;

  if (key == KEY_NONE)
    return;
  g_array_append_val (self->steps, step);
  if (key == KEY_ANY)
    g_array_append_val (self->any_steps, index);
  else
    g_array_append_val (g_ptr_array_index (self->key_steps, key), index);
}

/* Adds FILE's blocks, read where PARENT includes it. A block applies only
 * where the blocks that include it apply, so it is filed under the nearest
 * named block around it (PARENT_KEY) unless it names hosts itself. */
static void
index_file (TetherSshConfig *self,
            ConfigFile      *file,
            guint            parent,
            guint            parent_key)
{
  for (guint b = 0; b < file->blocks->len; b++) {
    TetherSshConfigBlock *block = g_ptr_array_index (file->blocks, b);
    Occurrence o = { block, parent };
    guint occ = self->occs->len;
    guint key = parent_key;
    guint start = 0;

    block_classify (block);
    g_array_append_val (self->occs, o);
    for (guint i = 0; block->valid && i < block->criteria->len; i++)
      if (g_array_index (block->criteria, Criterion, i).kind == CRIT_FINAL)
        self->wants_final = TRUE;

    if (block->reach == REACH_NONE)
      key = KEY_NONE;
    else if (block->reach == REACH_NAMED && parent_key != KEY_NONE) {
      key = self->key_steps->len;
      g_ptr_array_add (self->key_steps, g_array_new (FALSE, FALSE, sizeof (guint)));
      if (block->literals != NULL) {
        GHashTableIter iter;
        gpointer name;

        g_hash_table_iter_init (&iter, block->literals);
        while (g_hash_table_iter_next (&iter, &name, NULL))
          index_add_name (self, name, key);
      } else {
        /* Each name once: a short line, scanned. */
        for (guint i = 0; block->patterns[i] != NULL; i++) {
          gboolean seen = FALSE;

          if (!is_plain_name (block->patterns[i]))
            continue;
          for (guint j = 0; j < i && !seen; j++)
            seen = strcmp (block->patterns[j], block->patterns[i]) == 0;
          if (!seen)
            index_add_name (self, block->patterns[i], key);
        }
      }
    }

    index_add_step (self, key, occ, STEP_BLOCK_START, 0);
    for (guint i = 0; i < block->options->len; i++) {
      TetherSshConfigOption *opt = g_ptr_array_index (block->options, i);

      if (opt->kw != KW_INCLUDE || !opt->valid || opt->includes == NULL)
        continue;
      if (i > start)
        index_add_step (self, key, occ, start, i);
      for (guint j = 0; j < opt->includes->len; j++)
        index_file (self, g_ptr_array_index (opt->includes, j), occ, key);
      start = i + 1;
    }
    if (block->options->len > start)
      index_add_step (self, key, occ, start, block->options->len);
  }
}

static void
add_file (TetherSshConfig *self,
          ConfigFile      *file)
{
  guint first = self->blocks->len;

  g_ptr_array_add (self->files, file);
  flatten_blocks (self->blocks, file);
  index_file (self, file, NO_PARENT, KEY_ANY);
  for (guint b = first; b < self->blocks->len; b++) {
    TetherSshConfigBlock *block = g_ptr_array_index (self->blocks, b);

    if (block->kind != TETHER_SSH_CONFIG_BLOCK_HOST)
      continue;
    for (guint i = 0; block->patterns[i] != NULL; i++)
      if (!g_hash_table_contains (self->host_blocks, block->patterns[i]))
        g_hash_table_insert (self->host_blocks, block->patterns[i], block);
  }
  for (guint b = first; b < self->blocks->len && !self->uses_conn_hash; b++) {
    TetherSshConfigBlock *block = g_ptr_array_index (self->blocks, b);

    for (guint o = 0; o < block->options->len; o++)
      if (strstr (((TetherSshConfigOption *) g_ptr_array_index (block->options, o))->value,
                  "%C") != NULL)
        self->uses_conn_hash = TRUE;
  }
}

/* ------------------------------------------------------------------------ */
/* The object                                                                */

static void
tether_ssh_config_finalize (GObject *object)
{
  TetherSshConfig *self = TETHER_SSH_CONFIG (object);

  g_ptr_array_unref (self->blocks);
  g_ptr_array_unref (self->files);
  g_ptr_array_unref (self->errors);
  g_array_unref (self->occs);
  g_array_unref (self->steps);
  g_array_unref (self->any_steps);
  g_ptr_array_unref (self->key_steps);
  g_hash_table_unref (self->by_name);
  g_hash_table_unref (self->host_blocks);

  G_OBJECT_CLASS (tether_ssh_config_parent_class)->finalize (object);
}

static void
tether_ssh_config_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TetherSshConfig *self = TETHER_SSH_CONFIG (object);

  switch (prop_id) {
  case PROP_LENIENT:
    g_value_set_boolean (value, self->lenient);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_ssh_config_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  TetherSshConfig *self = TETHER_SSH_CONFIG (object);

  switch (prop_id) {
  case PROP_LENIENT:
    tether_ssh_config_set_lenient (self, g_value_get_boolean (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_ssh_config_class_init (TetherSshConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tether_ssh_config_finalize;
  object_class->get_property = tether_ssh_config_get_property;
  object_class->set_property = tether_ssh_config_set_property;

  /**
   * TetherSshConfig:lenient:
   *
   * When %TRUE a bad line does not fail a load: it is kept (marked invalid
   * and ignored), its error is added to tether_ssh_config_get_errors() and
   * parsing goes on. When %FALSE (the default) the first bad line fails the
   * load and nothing of that file is kept.
   */
  properties[PROP_LENIENT] =
    g_param_spec_boolean ("lenient", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tether_ssh_config_init (TetherSshConfig *self)
{
  self->files = g_ptr_array_new_with_free_func ((GDestroyNotify) config_file_free);
  self->blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) tether_ssh_config_block_unref);
  self->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  self->reader = &fs_reader;
  self->occs = g_array_new (FALSE, FALSE, sizeof (Occurrence));
  self->steps = g_array_new (FALSE, FALSE, sizeof (Step));
  self->any_steps = g_array_new (FALSE, FALSE, sizeof (guint));
  self->key_steps = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  /* Keys are the blocks' own patterns: the blocks live as long as the index. */
  self->by_name = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) g_array_unref);
  self->host_blocks = g_hash_table_new (g_str_hash, g_str_equal);
}

/**
 * tether_ssh_config_new:
 *
 * Makes an empty, strict configuration.
 *
 * Returns: (transfer full): an empty, strict configuration
 */
TetherSshConfig *
tether_ssh_config_new (void)
{
  return g_object_new (TETHER_TYPE_SSH_CONFIG, NULL);
}

/**
 * tether_ssh_config_get_lenient:
 * @self: a #TetherSshConfig
 *
 * Gets whether bad lines are collected instead of failing a load.
 *
 * Returns: whether bad lines are collected instead of failing a load
 */
gboolean
tether_ssh_config_get_lenient (TetherSshConfig *self)
{
  g_return_val_if_fail (TETHER_IS_SSH_CONFIG (self), FALSE);
  return self->lenient;
}

/**
 * tether_ssh_config_set_lenient:
 * @self: a #TetherSshConfig
 * @lenient: whether bad lines are collected instead of failing a load
 *
 * Sets whether bad lines are collected instead of failing a load.
 */
void
tether_ssh_config_set_lenient (TetherSshConfig *self,
                               gboolean         lenient)
{
  g_return_if_fail (TETHER_IS_SSH_CONFIG (self));
  lenient = !!lenient;
  if (self->lenient == lenient)
    return;
  self->lenient = lenient;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LENIENT]);
}

/**
 * tether_ssh_config_parse_data:
 * @self: a #TetherSshConfig
 * @data: (array length=length) (element-type guint8): ssh_config text
 * @length: the length of @data, or -1 when it ends with a NUL
 * @filename: (nullable): the name to give in messages and blocks
 * @error: return location for a #GError
 *
 * Adds the hosts of @data, as if it followed what was loaded before.
 * `Include` lines are kept but not followed: this touches no file.
 *
 * Returns: %TRUE on success; %FALSE with @error set (%TETHER_ERROR_CONFIG,
 *   naming the file and line) on the first bad line of a strict parse
 */
gboolean
tether_ssh_config_parse_data (TetherSshConfig  *self,
                              const char       *data,
                              gssize            length,
                              const char       *filename,
                              GError          **error)
{
  ConfigFile *file;

  g_return_val_if_fail (TETHER_IS_SSH_CONFIG (self), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (length < 0)
    length = strlen (data);
  file = parse_buffer (self, data ? data : "", length, NULL,
                       filename ? filename : "ssh_config", error);
  if (file == NULL)
    return FALSE;
  add_file (self, file);
  return TRUE;
}

/**
 * tether_ssh_config_load_file:
 * @self: a #TetherSshConfig
 * @file: a local ssh_config file
 * @error: return location for a #GError
 *
 * Reads @file and the files its `Include` lines name (globs allowed,
 * relative paths under `~/.ssh`, nested at most
 * %TETHER_SSH_CONFIG_MAX_INCLUDE_DEPTH deep; a loop is an error), and adds
 * their hosts. This blocks on disk I/O: call it from a worker thread in a UI.
 *
 * Returns: %TRUE on success; %FALSE with @error set: %G_IO_ERROR when @file
 *   cannot be read, %TETHER_ERROR_CONFIG with the file and line otherwise
 */
gboolean
tether_ssh_config_load_file (TetherSshConfig  *self,
                             GFile            *file,
                             GError          **error)
{
  g_autoptr(GPtrArray) stack = NULL;
  g_autofree char *path = NULL;
  g_autofree char *real = NULL;
  ConfigFile *loaded = NULL;

  g_return_val_if_fail (TETHER_IS_SSH_CONFIG (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  path = g_file_get_path (file);
  if (path == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 _("Only local files can hold an SSH configuration."));
    return FALSE;
  }

  stack = g_ptr_array_new_with_free_func (g_free);
  real = self->reader->real_path (path, self->reader_data);
  g_ptr_array_add (stack, g_steal_pointer (&real));
  if (!load_path (self, path, stack, &loaded, error))
    return FALSE;
  add_file (self, loaded);
  return TRUE;
}

/**
 * tether_ssh_config_get_errors:
 * @self: a #TetherSshConfig
 *
 * Gets the errors a lenient configuration collected, in the order met.
 *
 * Returns: (transfer none) (element-type GLib.Error): the errors a lenient
 *   configuration collected, in the order met
 */
GPtrArray *
tether_ssh_config_get_errors (TetherSshConfig *self)
{
  g_return_val_if_fail (TETHER_IS_SSH_CONFIG (self), NULL);
  return self->errors;
}

/**
 * tether_ssh_config_get_blocks:
 * @self: a #TetherSshConfig
 *
 * Every block of every file loaded, in the order ssh reads them: the blocks
 * of an included file follow the block that includes it. Each file starts
 * with a %TETHER_SSH_CONFIG_BLOCK_GLOBAL block, empty or not.
 *
 * Returns: (transfer none) (element-type TetherSshConfigBlock): the blocks
 */
GPtrArray *
tether_ssh_config_get_blocks (TetherSshConfig *self)
{
  g_return_val_if_fail (TETHER_IS_SSH_CONFIG (self), NULL);
  return self->blocks;
}

/**
 * tether_ssh_config_get_hosts:
 * @self: a #TetherSshConfig
 *
 * Lists the names in `Host` lines that name one host, in file order.
 *
 * Returns: (transfer full) (array zero-terminated=1): the names in `Host`
 *   lines that name one host (no `*`, `?` or `!`), each once, in file order
 */
char **
tether_ssh_config_get_hosts (TetherSshConfig *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_val_if_fail (TETHER_IS_SSH_CONFIG (self), NULL);

  for (guint b = 0; b < self->blocks->len; b++) {
    TetherSshConfigBlock *block = g_ptr_array_index (self->blocks, b);

    if (block->kind != TETHER_SSH_CONFIG_BLOCK_HOST || !block->valid)
      continue;
    for (guint i = 0; block->patterns[i] != NULL; i++) {
      const char *pattern = block->patterns[i];

      if (strpbrk (pattern, "*?!") != NULL || g_hash_table_contains (seen, pattern))
        continue;
      g_hash_table_add (seen, (gpointer) pattern);
      g_strv_builder_add (builder, pattern);
    }
  }
  return g_strv_builder_end (builder);
}

/**
 * tether_ssh_config_get_host_block:
 * @self: a #TetherSshConfig
 * @name: a host name as written in a `Host` line
 *
 * Finds the block that holds what Tether keeps about a host, such as its
 * colour: the first `Host` block whose patterns include @name as written.
 *
 * Returns: (transfer none) (nullable): the block, or %NULL
 */
TetherSshConfigBlock *
tether_ssh_config_get_host_block (TetherSshConfig *self,
                                  const char      *name)
{
  g_return_val_if_fail (TETHER_IS_SSH_CONFIG (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return g_hash_table_lookup (self->host_blocks, name);
}
