/* tether-transfer.c: the progress of one download or upload.
 *
 * The thread that moves the bytes updates the counters under a lock; the context that made
 * the object sees them through `notify`, at most TICKS_PER_SECOND times a second. */
#include "config.h"

#include "tether-connection-private.h"
#include "tether-enums.h"
#include "tether-sftp-client-private.h"
#include "tether-transfer.h"

#define TICKS_PER_SECOND 4

struct _TetherTransfer
{
  GObject parent_instance;

  GMutex lock;
  guint64 done;
  guint64 total;
  guint64 per_second;
  TetherTransferState state;
  GError *error;
  guint files_done;
  guint files_total;

  GMainContext *owner;
  GSource *tick;
  guint64 last_done;
  gint64 last_time;
  guint64 shown_done;
  guint64 shown_total;
  guint shown_files_done;
  guint shown_files_total;
};

enum {
  PROP_0,
  PROP_BYTES_DONE,
  PROP_BYTES_TOTAL,
  PROP_BYTES_PER_SECOND,
  PROP_STATE,
  PROP_ERROR,
  PROP_FILES_DONE,
  PROP_FILES_TOTAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (TetherTransfer, tether_transfer, G_TYPE_OBJECT)

static void
tether_transfer_finalize (GObject *object)
{
  TetherTransfer *self = TETHER_TRANSFER (object);

  if (self->tick != NULL) {
    g_source_destroy (self->tick);
    g_source_unref (self->tick);
  }
  g_clear_error (&self->error);
  g_main_context_unref (self->owner);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (tether_transfer_parent_class)->finalize (object);
}

static void
tether_transfer_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TetherTransfer *self = TETHER_TRANSFER (object);

  switch (prop_id) {
  case PROP_BYTES_DONE:
    g_value_set_uint64 (value, tether_transfer_get_bytes_done (self));
    break;
  case PROP_BYTES_TOTAL:
    g_value_set_uint64 (value, tether_transfer_get_bytes_total (self));
    break;
  case PROP_BYTES_PER_SECOND:
    g_value_set_uint64 (value, tether_transfer_get_bytes_per_second (self));
    break;
  case PROP_STATE:
    g_value_set_enum (value, tether_transfer_get_state (self));
    break;
  case PROP_ERROR:
    g_value_set_boxed (value, tether_transfer_get_error (self));
    break;
  case PROP_FILES_DONE:
    g_value_set_uint (value, tether_transfer_get_files_done (self));
    break;
  case PROP_FILES_TOTAL:
    g_value_set_uint (value, tether_transfer_get_files_total (self));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_transfer_class_init (TetherTransferClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = tether_transfer_finalize;
  object_class->get_property = tether_transfer_get_property;

  /**
   * TetherTransfer:bytes-done:
   *
   * Bytes at the destination so far, counting those a resume found there.
   */
  properties[PROP_BYTES_DONE] =
    g_param_spec_uint64 ("bytes-done", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  /**
   * TetherTransfer:bytes-total:
   *
   * The size of the source file, 0 until known.
   */
  properties[PROP_BYTES_TOTAL] =
    g_param_spec_uint64 ("bytes-total", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  /**
   * TetherTransfer:bytes-per-second:
   *
   * The speed over the last quarter second.
   */
  properties[PROP_BYTES_PER_SECOND] =
    g_param_spec_uint64 ("bytes-per-second", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  /**
   * TetherTransfer:state:
   *
   * Where the transfer is.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, TETHER_TYPE_TRANSFER_STATE,
                       TETHER_TRANSFER_STATE_PENDING, flags);
  /**
   * TetherTransfer:error:
   *
   * Why the transfer failed, or %NULL.
   */
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, flags);
  /**
   * TetherTransfer:files-done:
   *
   * For a folder: the files, links and folders copied so far (failed ones count too).
   */
  properties[PROP_FILES_DONE] =
    g_param_spec_uint ("files-done", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * TetherTransfer:files-total:
   *
   * For a folder: the files, links and folders it holds, once listed; 0 for one file.
   */
  properties[PROP_FILES_TOTAL] =
    g_param_spec_uint ("files-total", NULL, NULL, 0, G_MAXUINT, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tether_transfer_init (TetherTransfer *self)
{
  g_mutex_init (&self->lock);
  self->owner = g_main_context_ref_thread_default ();
}

/**
 * tether_transfer_new:
 *
 * Makes a transfer object to pass to tether_sftp_client_download_async() or
 * tether_sftp_client_upload_async(). It notifies on the thread-default context of the
 * caller.
 *
 * Returns: (transfer full): a new #TetherTransfer
 */
TetherTransfer *
tether_transfer_new (void)
{
  return g_object_new (TETHER_TYPE_TRANSFER, NULL);
}

/**
 * tether_transfer_get_bytes_done:
 * @self: a #TetherTransfer
 *
 * Returns: the bytes at the destination so far
 */
guint64
tether_transfer_get_bytes_done (TetherTransfer *self)
{
  guint64 v;

  g_return_val_if_fail (TETHER_IS_TRANSFER (self), 0);

  g_mutex_lock (&self->lock);
  v = self->done;
  g_mutex_unlock (&self->lock);
  return v;
}

/**
 * tether_transfer_get_bytes_total:
 * @self: a #TetherTransfer
 *
 * Returns: the size of the source, 0 until known
 */
guint64
tether_transfer_get_bytes_total (TetherTransfer *self)
{
  guint64 v;

  g_return_val_if_fail (TETHER_IS_TRANSFER (self), 0);

  g_mutex_lock (&self->lock);
  v = self->total;
  g_mutex_unlock (&self->lock);
  return v;
}

/**
 * tether_transfer_get_bytes_per_second:
 * @self: a #TetherTransfer
 *
 * Returns: the recent speed
 */
guint64
tether_transfer_get_bytes_per_second (TetherTransfer *self)
{
  guint64 v;

  g_return_val_if_fail (TETHER_IS_TRANSFER (self), 0);

  g_mutex_lock (&self->lock);
  v = self->per_second;
  g_mutex_unlock (&self->lock);
  return v;
}

/**
 * tether_transfer_get_state:
 * @self: a #TetherTransfer
 *
 * Returns: where the transfer is
 */
TetherTransferState
tether_transfer_get_state (TetherTransfer *self)
{
  TetherTransferState v;

  g_return_val_if_fail (TETHER_IS_TRANSFER (self), TETHER_TRANSFER_STATE_PENDING);

  g_mutex_lock (&self->lock);
  v = self->state;
  g_mutex_unlock (&self->lock);
  return v;
}

/**
 * tether_transfer_get_error:
 * @self: a #TetherTransfer
 *
 * Returns: (nullable) (transfer none): why the transfer failed, or %NULL
 */
const GError *
tether_transfer_get_error (TetherTransfer *self)
{
  g_return_val_if_fail (TETHER_IS_TRANSFER (self), NULL);

  /* Set once, before the state says FAILED, and never changed after. */
  return self->error;
}

/**
 * tether_transfer_get_files_done:
 * @self: a #TetherTransfer
 *
 * Returns: for a folder, the items copied (or failed) so far
 */
guint
tether_transfer_get_files_done (TetherTransfer *self)
{
  guint v;

  g_return_val_if_fail (TETHER_IS_TRANSFER (self), 0);

  g_mutex_lock (&self->lock);
  v = self->files_done;
  g_mutex_unlock (&self->lock);
  return v;
}

/**
 * tether_transfer_get_files_total:
 * @self: a #TetherTransfer
 *
 * Returns: for a folder, the items it holds once listed; 0 for a single file
 */
guint
tether_transfer_get_files_total (TetherTransfer *self)
{
  guint v;

  g_return_val_if_fail (TETHER_IS_TRANSFER (self), 0);

  g_mutex_lock (&self->lock);
  v = self->files_total;
  g_mutex_unlock (&self->lock);
  return v;
}

/* On the owner's context: notifies what changed since the last tick. */
static gboolean
tick_cb (gpointer data)
{
  TetherTransfer *self = data;
  gint64 now = g_get_monotonic_time ();
  guint64 done;
  guint64 total;
  guint files_done;
  guint files_total;
  gboolean running;

  g_mutex_lock (&self->lock);
  done = self->done;
  total = self->total;
  files_done = self->files_done;
  files_total = self->files_total;
  if (self->last_time != 0 && now > self->last_time)
    self->per_second = (done - MIN (self->last_done, done)) * G_USEC_PER_SEC /
                       (now - self->last_time);
  self->last_done = done;
  self->last_time = now;
  running = self->state == TETHER_TRANSFER_STATE_RUNNING;
  g_mutex_unlock (&self->lock);

  g_object_freeze_notify (G_OBJECT (self));
  if (done != self->shown_done) {
    self->shown_done = done;
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_DONE]);
  }
  if (total != self->shown_total) {
    self->shown_total = total;
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_TOTAL]);
  }
  if (files_done != self->shown_files_done) {
    self->shown_files_done = files_done;
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILES_DONE]);
  }
  if (files_total != self->shown_files_total) {
    self->shown_files_total = files_total;
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILES_TOTAL]);
  }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_PER_SECOND]);
  g_object_thaw_notify (G_OBJECT (self));

  if (!running && self->tick != NULL) {
    g_source_unref (g_steal_pointer (&self->tick));
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
state_changed_cb (gpointer data)
{
  TetherTransfer *self = data;
  TetherTransferState state = tether_transfer_get_state (self);

  if (state == TETHER_TRANSFER_STATE_RUNNING && self->tick == NULL) {
    self->tick = g_timeout_source_new (1000 / TICKS_PER_SECOND);
    g_source_set_callback (self->tick, tick_cb, self, NULL);
    g_source_set_static_name (self->tick, "[tether] transfer progress");
    g_source_attach (self->tick, self->owner);
  }
  if (state != TETHER_TRANSFER_STATE_RUNNING) {
    /* The last figures, then the state, so that a finished transfer shows its total. */
    g_mutex_lock (&self->lock);
    self->per_second = 0;
    g_mutex_unlock (&self->lock);
    if (self->tick != NULL) {
      g_source_destroy (self->tick);
      g_clear_pointer (&self->tick, g_source_unref);
    }
    self->last_time = 0;
    tick_cb (self);
    if (self->error != NULL)
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
  }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  return G_SOURCE_REMOVE;
}

/* A job drops its reference here, on any thread: the last one goes on the owner's
 * context, so that the transfer is finalized, and the data of the UI's handlers (weak
 * references to widgets) freed, on the thread that made them, never beside it. */
void
_tether_transfer_release (TetherTransfer *self)
{
  _tether_context_unref (self->owner, self);
}

static void
post_state (TetherTransfer *self)
{
  /* The job calls this on its thread, after it stopped using a context of its own: the
   * UI's handlers must still run on the owner's thread. */
  _tether_context_invoke (self->owner, state_changed_cb, g_object_ref (self), g_object_unref);
}

void
_tether_transfer_start (TetherTransfer *self,
                        guint64         done,
                        guint64         total)
{
  gboolean changed;

  g_mutex_lock (&self->lock);
  self->done = done;
  self->total = total;
  changed = self->state != TETHER_TRANSFER_STATE_RUNNING;
  self->state = TETHER_TRANSFER_STATE_RUNNING;
  g_clear_error (&self->error);
  g_mutex_unlock (&self->lock);
  if (changed)
    post_state (self);
}

void
_tether_transfer_add (TetherTransfer *self,
                      guint64         n)
{
  g_mutex_lock (&self->lock);
  self->done += n;
  g_mutex_unlock (&self->lock);
}

void
_tether_transfer_finish (TetherTransfer *self,
                         const GError   *error)
{
  g_mutex_lock (&self->lock);
  if (error == NULL) {
    self->state = TETHER_TRANSFER_STATE_DONE;
  } else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    self->state = TETHER_TRANSFER_STATE_CANCELLED;
  } else {
    self->state = TETHER_TRANSFER_STATE_FAILED;
    g_clear_error (&self->error);
    self->error = g_error_copy (error);
  }
  g_mutex_unlock (&self->lock);
  post_state (self);
}

void
_tether_transfer_set_files (TetherTransfer *self,
                            guint           done,
                            guint           total)
{
  g_mutex_lock (&self->lock);
  self->files_done = done;
  self->files_total = total;
  g_mutex_unlock (&self->lock);
}

void
_tether_transfer_add_file (TetherTransfer *self)
{
  g_mutex_lock (&self->lock);
  self->files_done++;
  g_mutex_unlock (&self->lock);
}
