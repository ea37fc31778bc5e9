"""Where a server's CPU goes under load: py-spy samples counted in named groups."""
