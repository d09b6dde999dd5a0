"""Statistics layer: harmonized effect sizes, random-effects models and pooling rules."""
