"""What goes out: PDF planning reports, printed maps, web maps, XLSX tables."""
