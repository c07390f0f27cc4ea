import CMalloc
import Foundation
import WhittleDriver
import WhittleSupport

// Training allocates the same large activation and column buffers every batch. By default glibc
// hands blocks that large back to the kernel on free (munmap, or trimming the heap's top), so
// every batch page-faults them in again, zero-filled, which took about half of the CPU time of
// training ResNet-8. Keep freed memory in the heap for reuse: blocks up to glibc's largest mmap
// threshold (32 MiB) come from the heap, and the heap is not trimmed.
#if os(Linux)
_ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
_ = mallopt(M_TRIM_THRESHOLD, Int32.max)
#endif

// Temporaries are removed on every exit that runs code: return, thrown error (WhittleMain.run
// removes them), and SIGINT/TERM/HUP (this handler, which only a process may install).
Temporaries.removeOnTerminatingSignals()
exit(WhittleMain.run(Array(CommandLine.arguments.dropFirst())))
