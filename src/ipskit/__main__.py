from ipskit.cli import main

main()
