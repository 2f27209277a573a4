from ipskit.cli import main

# A worker process started by `python -m ipskit` imports this module again under
# another name: only the real start runs the command line.
if __name__ == "__main__":
    main()
