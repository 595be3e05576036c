import sys

if __name__ == "__main__":
    # The importer reads .xls/.et/.ods in a child process started with "spawn"; the frozen program is
    # started again for it, and must then run that child instead of the program (a no-op otherwise).
    if getattr(sys, "frozen", False):  # a no-op otherwise, and importing it costs every start
        import multiprocessing

        multiprocessing.freeze_support()
    from desktop.cli import main

    sys.exit(main())
