"""Engine tests (a package so that the tests share ``helpers``)."""
