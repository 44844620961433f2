raise ImportError("tfbroken needs a library that is not installed")
