// cadenza: argument parsing and dispatch only (Dispatch.swift). The work is in the library targets.
import FileSafety
import Foundation

// A file being written atomically (a render, a checkpoint) is removed when SIGINT, SIGTERM
// or SIGHUP ends the process; commands that handle a signal themselves (play, compose,
// train's Ctrl-C) install their own handler over this one.
TemporaryFiles.removeOnSignals()
exit(runMain(Array(CommandLine.arguments.dropFirst())))
