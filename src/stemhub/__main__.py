from stemhub.cli import main

main()
