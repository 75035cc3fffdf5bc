/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PCI helpers shared by the in-guest test programs (testdev-guest,
 * vgpu-guest): find a device in sysfs, enable its memory decoding and map
 * one of its resource files. They run inside a test guest, so every
 * failure prints one line naming the program and exits 1.
 */
#ifndef GUEST_PCI_H
#define GUEST_PCI_H

#include <stdbool.h>
#include <stddef.h>

/* program name for error lines; set before any other call */
extern const char *guest_pci_prog;

/* print "<prog>: @what: <errno text>" and exit 1 */
_Noreturn void guest_pci_die(const char *what);

/* the hexadecimal number in sysfs file @path, 0 when unreadable */
unsigned long guest_pci_read_hex(const char *path);

/* print the address of the first device @match accepts; 0, or 1 if none */
int guest_pci_find(bool (*match)(const char *bdf));

/*
 * Turn memory decoding on through the "enable" file beside resource file
 * @res (also without a driver bound), then map all of @res read/write.
 */
void *guest_pci_map(const char *res, size_t *len);

#endif /* GUEST_PCI_H */
