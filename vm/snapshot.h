/* SPDX-License-Identifier: MIT */
/*
 * snapshot.h - where the lab VM's snapshots live and what they are keyed by
 * (the controller's private helpers; vm.c does the saving and restoring).
 *
 * A snapshot is QEMU's migration stream of a booted, idle lab VM.  It is
 * valid only for the exact kernel, initramfs, firmware, QEMU and command
 * line that made it, so its file name carries a key over all of them: a
 * rebuilt guest or an upgraded QEMU finds no file under its key and boots
 * cold, saving a new snapshot.  Files are written under a temporary name
 * and renamed: parallel graders never read a half-written one.
 */
#ifndef ADDRLAB_SNAPSHOT_H
#define ADDRLAB_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

/*
 * The folder snapshots go to, made (mode 0700) if missing: $ADDRLAB_CACHE_DIR,
 * else $XDG_CACHE_HOME/addrlab, else $HOME/.cache/addrlab, else
 * $TMPDIR/addrlab-cache-UID.  0, or -1 when none can be made.
 */
int snap_dir(char *out, size_t n);

/*
 * The key: FNV-1a over QEMU's arguments (any containing `skip`, the
 * runtime folder, count as one placeholder: those are host-side sockets
 * and logs) and over the identity (size, modification time, inode) of each
 * of the NULL-terminated files (a bare command name is looked up in PATH).
 */
uint64_t snap_key(const char *const argv[], const char *skip,
		  const char *const files[], unsigned int version);

/*
 * The variant: the machine (as "pc", "q35iommu"...) and a hash of what
 * names its parts (each resolved when it is a path: the same file by any
 * path is the same machine).  One snapshot per variant is kept; a new key
 * prunes the older.
 */
void snap_variant(char *out, size_t n, const char *machine,
		  const char *const ids[]);

/* out gets "DIR/VARIANT-KEY.vmstate". */
void snap_path(char *out, size_t n, const char *dir, const char *variant,
	       uint64_t key);

/* Removes every other snapshot of path's variant in its folder (an older
 * key), and every temporary file whose writer is gone. */
void snap_prune(const char *path);

/*
 * Writes DIR/VARIANT.parts beside the snapshot at path: the files that
 * made it (each id that is a path, resolved), one a line, for
 * snap_sweep() to know the snapshot's machine is gone.
 */
void snap_note_parts(const char *path, const char *const ids[]);

/*
 * Removes from the snapshot folder dir what nobody will restore again:
 * every snapshot of a variant whose .parts names a file that is gone (a
 * deleted checkout, an uninstalled guest), and every snapshot or Kbuild
 * recording (kbuild.h) unused for SNAP_UNUSED_DAYS (restores and builds
 * touch what they use).  How many files it removed.
 */
#define SNAP_UNUSED_DAYS	30
int snap_sweep(const char *dir);

/* Marks the file at path as used now (its modification time). */
void snap_touch(const char *path);

/*
 * Whether the process pid is gone: no such process, or a zombie (dead, its
 * exit not yet collected; a killed grader's workers are, until whoever
 * inherited them reaps them).  What it left behind may then be removed.
 */
int snap_pid_gone(long pid);

#endif /* ADDRLAB_SNAPSHOT_H */
