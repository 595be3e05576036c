"""The setup guide (本单位设置向导, views.setup.guide) and its parts other pages reuse (the area
picker of the 行政区划 page)."""
