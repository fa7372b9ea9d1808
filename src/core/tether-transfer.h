/* tether-transfer.h: the progress of one SFTP download or upload. */
#pragma once

#if !defined(TETHER_INSIDE) && !defined(TETHER_COMPILATION)
# error "Only <tether.h> can be included directly."
#endif

#include <gio/gio.h>

#include "tether-version.h"

G_BEGIN_DECLS

/**
 * TetherTransferState:
 * @TETHER_TRANSFER_STATE_PENDING: not started yet
 * @TETHER_TRANSFER_STATE_RUNNING: bytes are moving
 * @TETHER_TRANSFER_STATE_DONE: the file is complete at its destination
 * @TETHER_TRANSFER_STATE_FAILED: it stopped with #TetherTransfer:error; what was copied
 *   so far is kept for a resume
 * @TETHER_TRANSFER_STATE_CANCELLED: it was cancelled; what was copied so far is kept for
 *   a resume
 *
 * Where a transfer is.
 */
typedef enum {
  TETHER_TRANSFER_STATE_PENDING,
  TETHER_TRANSFER_STATE_RUNNING,
  TETHER_TRANSFER_STATE_DONE,
  TETHER_TRANSFER_STATE_FAILED,
  TETHER_TRANSFER_STATE_CANCELLED,
} TetherTransferState;

#define TETHER_TYPE_TRANSFER (tether_transfer_get_type ())

TETHER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (TetherTransfer, tether_transfer, TETHER, TRANSFER, GObject)

TETHER_AVAILABLE_IN_ALL
TetherTransfer      *tether_transfer_new                   (void);
TETHER_AVAILABLE_IN_ALL
guint64              tether_transfer_get_bytes_done        (TetherTransfer *self);
TETHER_AVAILABLE_IN_ALL
guint64              tether_transfer_get_bytes_total       (TetherTransfer *self);
TETHER_AVAILABLE_IN_ALL
guint64              tether_transfer_get_bytes_per_second  (TetherTransfer *self);
TETHER_AVAILABLE_IN_ALL
TetherTransferState  tether_transfer_get_state             (TetherTransfer *self);
TETHER_AVAILABLE_IN_ALL
const GError        *tether_transfer_get_error             (TetherTransfer *self);
TETHER_AVAILABLE_IN_ALL
guint                tether_transfer_get_files_done        (TetherTransfer *self);
TETHER_AVAILABLE_IN_ALL
guint                tether_transfer_get_files_total       (TetherTransfer *self);

G_END_DECLS
