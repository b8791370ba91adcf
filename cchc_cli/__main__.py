from cchc_cli.cli import main

main()
